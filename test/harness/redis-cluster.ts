/**
 * A throwaway Redis Cluster on loopback: 3 masters (and optionally one replica each), slots
 * assigned by hand with CLUSTER ADDSLOTSRANGE + CLUSTER MEET (≈ 2 s). Each node's cluster bus
 * port is chosen explicitly, because the default (port + 10000) overflows for high free ports.
 *
 *   const cluster = await startRedisCluster();
 *   new Cluster(cluster.startupNodes, { shardedSubscribers: true })
 *   await cluster.stop();
 */
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "./processes.js";
import { REDIS_HOST, type RedisServer, startRedis } from "./redis-server.js";

export interface RedisClusterOptions {
  readonly masters?: number;
  readonly replicasPerMaster?: 0 | 1;
  /** cluster-node-timeout in ms (failure detection); default 1000. */
  readonly nodeTimeoutMs?: number;
}

export interface RedisClusterNode extends RedisServer {
  readonly clusterPort: number;
  readonly role: "master" | "replica";
  /** For masters: the slot range [first, last]. */
  readonly slots: readonly [number, number] | null;
}

export interface RedisCluster {
  readonly nodes: readonly RedisClusterNode[];
  readonly masters: readonly RedisClusterNode[];
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Comma-separated host:port list, as EVENT_BUS_REDIS_CLUSTER expects. */
  readonly nodeList: string;
  /** Resolves when every running node reports cluster_state:ok. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const SLOTS = 16384;

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masterCount = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const nodeTimeout = options.nodeTimeoutMs ?? 1000;
  const nodes: RedisClusterNode[] = [];
  try {
    for (let i = 0; i < masterCount * (1 + replicas); i++) {
      const role = i < masterCount ? "master" : "replica";
      const slots = role === "master" ? slotRange(i, masterCount) : null;
      nodes.push(await startNode(role, slots, nodeTimeout));
    }
    await formCluster(nodes, masterCount);
    const cluster = describe(nodes);
    await cluster.waitUntilHealthy();
    return cluster;
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
}

function slotRange(index: number, count: number): [number, number] {
  const size = Math.floor(SLOTS / count);
  const first = index * size;
  const last = index === count - 1 ? SLOTS - 1 : first + size - 1;
  return [first, last];
}

async function startNode(
  role: "master" | "replica",
  slots: [number, number] | null,
  nodeTimeout: number,
): Promise<RedisClusterNode> {
  const clusterPort = await freePort();
  const server = await startRedis({
    args: [
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      `nodes-${clusterPort}.conf`,
      "--cluster-port",
      String(clusterPort),
      "--cluster-node-timeout",
      String(nodeTimeout),
      "--cluster-require-full-coverage",
      "no",
      // replicas sync at once instead of after the default 5 s delay
      "--repl-diskless-sync-delay",
      "0",
    ],
  });
  // The node delegates to the server handle (its getters read live state), adding cluster facts.
  return Object.assign(Object.create(server) as RedisServer, { clusterPort, role, slots });
}

async function withClient<T>(node: RedisClusterNode, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: node.host, port: node.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

async function formCluster(nodes: readonly RedisClusterNode[], masterCount: number): Promise<void> {
  const first = nodes[0];
  if (!first) throw new Error("a cluster needs at least one node");
  for (const node of nodes) {
    if (node.slots) {
      const [from, to] = node.slots;
      await withClient(node, (c) => c.call("CLUSTER", "ADDSLOTSRANGE", from, to));
    }
  }
  await withClient(first, async (c) => {
    for (const node of nodes.slice(1))
      await c.call("CLUSTER", "MEET", node.host, node.port, node.clusterPort);
  });
  const replicaNodes = nodes.slice(masterCount);
  for (const [i, replica] of replicaNodes.entries()) {
    const master = nodes[i % masterCount] as RedisClusterNode;
    const masterId = String(await withClient(master, (c) => c.call("CLUSTER", "MYID")));
    await waitFor(async () => {
      const known = String(await withClient(replica, (c) => c.call("CLUSTER", "NODES")));
      return known.includes(masterId);
    }, 10_000);
    await withClient(replica, (c) => c.call("CLUSTER", "REPLICATE", masterId));
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(50);
  }
}

function describe(nodes: readonly RedisClusterNode[]): RedisCluster {
  const masters = nodes.filter((n) => n.role === "master");
  return {
    nodes,
    masters,
    startupNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
    nodeList: nodes.map((n) => `${REDIS_HOST}:${n.port}`).join(","),
    async waitUntilHealthy(timeoutMs = 15_000) {
      await waitFor(async () => {
        const states = await Promise.all(
          nodes
            .filter((n) => n.running)
            .map((n) => withClient(n, (c) => c.call("CLUSTER", "INFO")).then(String, () => "")),
        );
        const running = nodes.filter((n) => n.running).length;
        return (
          states.every(
            (info) =>
              info.includes("cluster_state:ok") && info.includes(`cluster_known_nodes:${nodes.length}`),
          ) && states.length === running
        );
      }, timeoutMs);
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
