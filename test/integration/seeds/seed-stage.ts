/**
 * The stage the seeds' snippets run on: a throwaway Redis (test/harness), a real relay on it, the
 * package's ready-made `eventBus` pointed at it through the environment (EVENT_BUS_REDIS_URL, as a
 * deployed service would be), one EventBusClient per other service, and browsers (the client SDK)
 * with tokens from the relay. Everything it starts, close() stops.
 */
import { type EventBusClient as Client, EventBusClient, eventBus } from "@shared-infra/event-bus";
import { createEventBus, type EventBus } from "@shared-infra/event-bus/client";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { startTestRelay, type TestRelay, type TokenClaims } from "../../helpers/relay-server.js";
import { type Collector, collector } from "../../helpers/wait.js";

export interface Stage {
  readonly redis: RedisServer;
  readonly relay: TestRelay;
  /** Another service's own client on the same Redis. */
  service(serviceName: string): Client;
  /** A browser of `userId`, connected to the relay. */
  browser(userId: string, claims?: TokenClaims): EventBus;
  /** Disconnects the services and browsers made so far (between tests: their subscriptions end). */
  closeParticipants(): Promise<void>;
  close(): Promise<void>;
}

const ENV = ["EVENT_BUS_REDIS_URL", "EVENT_BUS_SERVICE_NAME", "EVENT_BUS_LOG_LEVEL"] as const;

export async function startStage(): Promise<Stage> {
  const saved = ENV.map((name) => [name, process.env[name]] as const);
  const redis = await startRedis();
  process.env.EVENT_BUS_REDIS_URL = redis.url;
  process.env.EVENT_BUS_SERVICE_NAME = "photo-api-service";
  process.env.EVENT_BUS_LOG_LEVEL = "silent";
  const relay = await startTestRelay({ broker: { broker: "redis", url: redis.url } });
  const services: Client[] = [];
  const browsers: EventBus[] = [];
  const closeParticipants = async (): Promise<void> => {
    for (const bus of browsers.splice(0)) bus.close();
    await Promise.all(services.splice(0).map((client) => client.disconnect()));
  };
  return {
    redis,
    relay,
    service(serviceName) {
      const client = new EventBusClient({ serviceName, redis: redis.url, logLevel: "silent" });
      services.push(client);
      return client;
    },
    browser(userId, claims = {}) {
      const bus = createEventBus({ url: relay.url, getToken: () => relay.token(userId, claims) });
      browsers.push(bus);
      return bus;
    },
    closeParticipants,
    async close() {
      await closeParticipants();
      await eventBus.disconnect();
      await relay.close();
      await redis.stop();
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/** A function that records its calls' arguments, for the helpers the seeds leave undefined. */
export function recorder<A extends unknown[]>(label: string): ((...args: A) => Promise<void>) & Collector<A> {
  const calls = collector<A>(label);
  const record = async (...args: A): Promise<void> => calls.push(args);
  return Object.assign(record, calls);
}
