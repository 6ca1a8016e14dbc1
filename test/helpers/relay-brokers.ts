/**
 * The brokers relay tests run on: the memory hub, a throwaway redis-server, a 3-node Redis Cluster.
 * One fixture per test file (start in beforeAll, stop in afterAll); `flush()` between tests.
 *
 *   describe.each(RELAY_BROKERS)("on %s", (kind) => { const fixture = useBrokerFixture(kind); … })
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { Broker } from "../../relay/brokers/broker.js";
import { type BrokerConfig, createBroker } from "../../relay/brokers/create-broker.js";
import { MemoryHub } from "../../relay/brokers/memory/memory-hub.js";
import { type RedisCluster, startRedisCluster } from "../harness/redis-cluster.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";

export type RelayBrokerKind = "memory" | "redis" | "cluster";

export const RELAY_BROKERS: readonly RelayBrokerKind[] = ["memory", "redis", "cluster"];

export interface BrokerFixture {
  readonly kind: RelayBrokerKind;
  /** A configuration for a new broker connection to this backend. */
  config(): BrokerConfig;
  /** Environment variables that select this backend (for relay processes and the CLI). */
  env(): Record<string, string>;
  /** Forgets every key (subscriptions survive). */
  flush(): Promise<void>;
  /** Redis servers (one, or the cluster's masters), for redis-cli style checks. */
  servers(): readonly { host: string; port: number }[];
  readonly redis: RedisServer | undefined;
  readonly cluster: RedisCluster | undefined;
  stop(): Promise<void>;
}

async function flushAll(servers: readonly { host: string; port: number }[]): Promise<void> {
  await Promise.all(
    servers.map(async ({ host, port }) => {
      const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    }),
  );
}

export async function startBrokerFixture(kind: RelayBrokerKind): Promise<BrokerFixture> {
  if (kind === "memory") {
    const hub = new MemoryHub();
    return {
      kind,
      config: () => ({ broker: "memory", hub }),
      env: () => ({}),
      flush: async () => hub.flush(),
      servers: () => [],
      redis: undefined,
      cluster: undefined,
      stop: async () => {},
    };
  }
  if (kind === "redis") {
    const redis = await startRedis();
    const servers = [{ host: redis.host, port: redis.port }];
    return {
      kind,
      config: () => ({ broker: "redis", url: redis.url }),
      env: () => ({ EVENT_BUS_REDIS_URL: redis.url }),
      flush: () => flushAll(servers),
      servers: () => servers,
      redis,
      cluster: undefined,
      stop: () => redis.stop(),
    };
  }
  const cluster = await startRedisCluster();
  const masters = cluster.masters.map((m) => ({ host: m.host, port: m.port }));
  return {
    kind,
    config: () => ({ broker: "cluster", nodes: cluster.startupNodes }),
    env: () => ({ EVENT_BUS_REDIS_CLUSTER: cluster.nodeList }),
    flush: () => flushAll(masters),
    servers: () => masters,
    redis: undefined,
    cluster,
    stop: () => cluster.stop(),
  };
}

/** Starts the fixture before the suite, flushes it before each test, stops it after the suite. */
export function useBrokerFixture(kind: RelayBrokerKind): { readonly current: BrokerFixture } {
  let fixture: BrokerFixture | undefined;
  beforeAll(async () => {
    fixture = await startBrokerFixture(kind);
  }, 60_000);
  beforeEach(async () => {
    await fixture?.flush();
  });
  afterAll(async () => {
    await fixture?.stop();
  });
  return {
    get current() {
      if (!fixture) throw new Error(`the ${kind} broker fixture is not started (use it inside tests)`);
      return fixture;
    },
  };
}

/** A separate broker connection to the fixture's backend, as a backend service would have. */
export async function connectBackend(fixture: BrokerFixture): Promise<Broker> {
  const broker = createBroker(fixture.config());
  await broker.connect();
  return broker;
}
