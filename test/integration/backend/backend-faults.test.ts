/**
 * EventBusClient while Redis is SIGKILLed mid-stream and restarted empty: health turns degraded,
 * subscriptions come back by themselves, every publish of the window is either delivered or
 * rejected with a code (none silently lost), and the new epoch shows in what handlers receive.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEventBusError } from "../../../protocol/errors.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import type { PublishResult, ReceivedEvent } from "../../../relay/backend/types.js";
import type { Broker, BrokerStatus } from "../../../relay/brokers/broker.js";
import { RedisBroker } from "../../../relay/brokers/redis/redis-broker.js";
import { freePort } from "../../harness/processes.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { collector } from "../../helpers/wait.js";
import { silentLogger } from "./silent-logger.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

function next(broker: Broker, status: BrokerStatus): Promise<void> {
  return new Promise((resolve) => {
    const off = broker.on("status", (s) => {
      if (s === status) {
        off();
        resolve();
      }
    });
  });
}

type Outcome = { n: number; result?: PublishResult; code?: string };

describe("EventBusClient when Redis dies mid-stream", () => {
  it("recovers by itself and settles every publish of the window", async () => {
    const broker = new RedisBroker({ connection: redis.url, reconnect: { minDelay: 20, maxDelay: 200 } });
    const bus = new EventBusClient({ serviceName: "svc", broker, logger: silentLogger });
    const events = collector<number>("event-type deliveries");
    const roomEvents = collector<ReceivedEvent>("room deliveries");
    await bus.subscribe("job.*", (e) => events.push((e.data as { n: number }).n));
    await bus.subscribeToRoom("ops", (e) => roomEvents.push(e));
    const outcomes: Promise<Outcome>[] = [];
    const publish = (n: number) => {
      const sending =
        n % 2 === 0 ? bus.publish("job.step", { n }) : bus.publishToRoom("ops", "job.step", { n });
      outcomes.push(
        sending.then(
          (result) => ({ n, result }),
          (e: unknown) => ({ n, code: isEventBusError(e) ? e.code : "UNCODED" }),
        ),
      );
    };

    for (let n = 0; n < 10; n++) {
      publish(n);
      await outcomes[n];
    }
    const epochBefore = (await outcomes[1])?.result?.epoch;
    for (let n = 10; n < 30; n++) publish(n); // in flight at the crash
    const down = next(broker, "reconnecting");
    await redis.kill();
    await down;
    expect((await bus.healthCheck()).status).toBe("degraded");
    for (let n = 30; n < 50; n++) publish(n); // during the outage
    const up = next(broker, "ready");
    await redis.restart();
    await up;

    const settled = await Promise.all(outcomes);
    const delivered = settled.filter((o) => o.result).map((o) => o.n);
    for (const o of settled.filter((o) => !o.result))
      expect(["BROKER_UNAVAILABLE", "TIMEOUT"]).toContain(o.code);
    expect(delivered.filter((n) => n < 10 || n >= 30)).toHaveLength(30);
    const evens = delivered.filter((n) => n % 2 === 0);
    const odds = delivered.filter((n) => n % 2 === 1);
    await events.waitFor(evens.length);
    await roomEvents.waitFor(odds.length);
    for (const n of evens) expect(events.items).toContain(n);
    for (const n of odds) expect(roomEvents.items.map((e) => (e.data as { n: number }).n)).toContain(n);

    const after = roomEvents.items.filter((e) => (e.data as { n: number }).n >= 30);
    expect(after.length).toBe(10);
    expect(new Set(after.map((e) => e.position?.epoch))).toEqual(
      new Set([(await outcomes[31])?.result?.epoch]),
    );
    expect(after[0]?.position?.epoch).not.toBe(epochBefore);
    expect((await bus.healthCheck()).status).toBe("healthy");
    await bus.disconnect();
    await broker.close();
  });

  it("rejects publishes with TIMEOUT after offline.timeoutMs and reports unhealthy when Redis never came", async () => {
    const broker = new RedisBroker({ connection: redis.url, offlineTimeoutMs: 150 });
    const bus = new EventBusClient({ serviceName: "svc", broker, logger: silentLogger });
    await bus.connect();
    const down = next(broker, "reconnecting");
    await redis.kill();
    await down;
    await expect(bus.publish("job.step", { n: 1 })).rejects.toMatchObject({ code: "TIMEOUT" });
    expect((await bus.healthCheck()).status).toBe("degraded");
    await bus.disconnect();
    await broker.close();
    await redis.restart();

    const port = await freePort();
    const nowhere = new EventBusClient({
      serviceName: "svc",
      redis: `redis://127.0.0.1:${port}`,
      logger: silentLogger,
    });
    await expect(nowhere.connect()).rejects.toMatchObject({ code: "BROKER_UNAVAILABLE" });
    expect((await nowhere.healthCheck()).status).toBe("unhealthy");
    await nowhere.disconnect();
  });
});
