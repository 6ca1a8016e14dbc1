/**
 * The Redis broker sends the commands of one event-loop turn in one write (redis-cork.ts) and
 * reads a channel's position once for all the reads asked in that turn — after the last of them
 * was asked, so a read never reflects less than what was published before it was asked.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisBroker } from "../../../relay/brokers/redis/redis-broker.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";

let redis: RedisServer;
let broker: RedisBroker;
let admin: Redis;

beforeAll(async () => {
  redis = await startRedis();
  broker = new RedisBroker({ connection: redis.url });
  await broker.connect();
  admin = new Redis(redis.url);
});

afterAll(async () => {
  admin.disconnect();
  await broker.close();
  await redis.stop();
});

/** How many times Redis ran a command since the last reset. */
async function calls(command: string): Promise<number> {
  const info = await admin.info("commandstats");
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return Number(match?.[1] ?? 0);
}

describe("turn batching on one Redis", () => {
  it("reads one channel's position once for every read asked in the same turn", async () => {
    await broker.publishRecoverable("room:batch", JSON.stringify({ id: "e1", type: "t", data: 1 }));
    await broker.position("room:warm"); // the script is loaded: each read below is one EVALSHA
    await admin.config("RESETSTAT");
    const reads = Array.from({ length: 50 }, () => broker.position("room:batch"));
    const other = broker.position("room:other");
    const positions = await Promise.all(reads);
    await other;
    expect(new Set(positions.map((p) => `${p.epoch}:${p.offset}`)).size).toBe(1);
    expect(positions[0]?.offset).toBe(1);
    expect(await calls("evalsha")).toBe(2); // one per channel
  });

  it("never reads before it was asked: a publish sent before the read is in it", async () => {
    const published = broker.publishRecoverable(
      "room:order",
      JSON.stringify({ id: "e2", type: "t", data: 2 }),
    );
    const read = broker.position("room:order");
    await published;
    expect((await read).offset).toBe(1);
  });

  it("answers every command of a turn, in order, values included", async () => {
    const writes = Array.from({ length: 20 }, (_, i) => broker.setValue(`k${i}`, String(i), 60_000));
    const reads = Array.from({ length: 20 }, (_, i) => broker.getValue(`k${i}`));
    await Promise.all(writes);
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });
});
