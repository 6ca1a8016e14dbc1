/**
 * Chaos: a consumer group of three worker processes on one Redis — 10,000 events exactly once
 * with no fault; a worker SIGKILLed mid-run loses nothing; a worker restarted after 30 s down gets
 * what was published meanwhile (support/group-chaos.ts).
 */
import { afterAll, beforeAll, it } from "vitest";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { runGroupChaos } from "./support/group-chaos.js";

let redis: RedisServer;
let ledger: RedisServer;

beforeAll(async () => {
  [redis, ledger] = await Promise.all([startRedis(), startRedis()]);
});
afterAll(async () => {
  await redis?.stop();
  await ledger?.stop();
});

it("3 workers in one group: exactly once, SIGKILL mid-run, restart after 30 s down", async () => {
  await runGroupChaos({ label: "one Redis", redis: redis.url, ledger: ledger.url });
}, 240_000);
