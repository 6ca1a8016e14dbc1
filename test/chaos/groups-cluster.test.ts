/**
 * Chaos: the consumer-group scenario of groups-redis.test.ts on a 3-node Redis Cluster (the
 * group stream in its type's slot, the wake-up PUBLISH through the cluster bus).
 */
import { afterAll, beforeAll, it } from "vitest";
import { type RedisCluster, startRedisCluster } from "../harness/redis-cluster.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { runGroupChaos } from "./support/group-chaos.js";

let cluster: RedisCluster;
let ledger: RedisServer;

beforeAll(async () => {
  [cluster, ledger] = await Promise.all([startRedisCluster(), startRedis()]);
});
afterAll(async () => {
  await cluster?.stop();
  await ledger?.stop();
});

it("3 workers in one group on a cluster: exactly once, SIGKILL mid-run, restart after 30 s down", async () => {
  await runGroupChaos({ label: "3-node Redis Cluster", cluster: cluster.startupNodes, ledger: ledger.url });
}, 240_000);
