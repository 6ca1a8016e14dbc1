/**
 * Failovers on a throwaway Redis Cluster with replicas (redis-cluster.ts, `replicasPerMaster: 1`):
 * which master owns a key, which replica follows it, waiting for replication to catch up and for a
 * replica to be promoted, and cutting a replica off so that its master acknowledges writes the
 * replica never gets — the asynchronous-replication loss a real failover can cause.
 *
 *   const master = masterOf(cluster, "{room:x}:history");
 *   const replica = await replicaOf(cluster, master);
 *   await inSync(master);                      // everything written so far is on the replica
 *   await cutOffReplica(master, replica);      // later writes stay on the master only
 *   … publish …
 *   await master.kill(); replica.resume();
 *   await promoted(cluster, replica);
 */
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";
import type { RedisCluster, RedisClusterNode } from "./redis-cluster.js";

/** Runs one command batch on a node over a short-lived connection. */
export async function onNode<T>(
  node: { host: string; port: number },
  run: (client: Redis) => Promise<T>,
): Promise<T> {
  const client = new Redis({ host: node.host, port: node.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

/** Cluster key slot of `key` (CRC16 of the hash tag), asked of a node so the harness stays independent. */
export function slotOf(cluster: RedisCluster, key: string): Promise<number> {
  const node = cluster.masters.find((m) => m.running) ?? cluster.nodes.find((n) => n.running);
  if (!node) throw new Error("no running node");
  return onNode(node, async (c) => Number(await c.call("CLUSTER", "KEYSLOT", key)));
}

/** The master that owned `slot` when the cluster was formed. */
export function masterOfSlot(cluster: RedisCluster, slot: number): RedisClusterNode {
  const owner = cluster.masters.find((m) => m.slots && slot >= m.slots[0] && slot <= m.slots[1]);
  if (!owner) throw new Error(`no master owns slot ${slot}`);
  return owner;
}

/** The replica following `master` (from the master's INFO replication). */
export async function replicaOf(cluster: RedisCluster, master: RedisClusterNode): Promise<RedisClusterNode> {
  const info = await onNode(master, (c) => c.call("INFO", "replication").then(String));
  const port = Number(/slave0:ip=[^,]+,port=(\d+)/.exec(info)?.[1]);
  const replica = cluster.nodes.find((n) => n.port === port);
  if (!replica) throw new Error(`master ${master.port} has no replica:\n${info}`);
  return replica;
}

interface WaitOptions {
  readonly timeoutMs?: number;
  readonly label: string;
}

async function until(check: () => Promise<boolean>, { timeoutMs = 20_000, label }: WaitOptions) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${label}: not reached within ${timeoutMs} ms`);
    await delay(50);
  }
}

/** Resolves once every replica of `master` has acknowledged all of the master's writes so far. */
export function inSync(master: RedisClusterNode, timeoutMs?: number): Promise<void> {
  return until(
    async () => {
      const info = await onNode(master, (c) => c.call("INFO", "replication").then(String));
      const offset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1]);
      const replicas = [...info.matchAll(/slave\d+:[^\r\n]*state=online[^\r\n]*offset=(\d+)/g)];
      return replicas.length > 0 && replicas.every((m) => Number(m[1]) === offset);
    },
    { label: `replica of ${master.port} in sync`, ...(timeoutMs !== undefined && { timeoutMs }) },
  );
}

/** Every replica of the cluster is connected to its master and caught up. */
export async function replicasInSync(cluster: RedisCluster): Promise<void> {
  for (const master of cluster.masters.filter((m) => m.running)) await inSync(master);
}

/**
 * Stops `replica` (SIGSTOP) and makes `master` drop its replication link: every write the master
 * acknowledges from now on exists on the master only, until the replica is resumed — and if the
 * master dies first, those writes are lost when the replica takes over.
 */
export async function cutOffReplica(master: RedisClusterNode, replica: RedisClusterNode): Promise<void> {
  replica.pause();
  await onNode(master, (c) => c.call("CLIENT", "KILL", "TYPE", "replica"));
}

/** Resolves once `replica` serves as a master and every running node reports the cluster healthy. */
export async function promoted(cluster: RedisCluster, replica: RedisClusterNode): Promise<void> {
  await until(
    async () => {
      const role = await onNode(replica, (c) => c.call("ROLE"));
      return Array.isArray(role) && role[0] === "master";
    },
    { label: `replica ${replica.port} promoted`, timeoutMs: 30_000 },
  );
  await cluster.waitUntilHealthy(30_000);
}
