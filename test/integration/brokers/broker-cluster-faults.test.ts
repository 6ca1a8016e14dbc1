/**
 * The cluster broker under topology faults: the master that owns a subscribed channel crashes and
 * restarts (empty), and a subscribed channel's slot is migrated to another master.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { decodeMessage, encodeEvent } from "../../../protocol/codec.js";
import { createId } from "../../../protocol/ids.js";
import type { Broker, BrokerStatus } from "../../../relay/brokers/broker.js";
import { ClusterBroker } from "../../../relay/brokers/redis/cluster-broker.js";
import { keySlot } from "../../../relay/brokers/redis/redis-slot.js";
import { type RedisCluster, type RedisClusterNode, startRedisCluster } from "../../harness/redis-cluster.js";
import { collector } from "../../helpers/wait.js";

let cluster: RedisCluster;
const open: Broker[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});
afterAll(async () => {
  await cluster.stop();
});

async function connectBroker(): Promise<ClusterBroker> {
  const broker = new ClusterBroker({
    nodes: cluster.startupNodes,
    reconnect: { minDelay: 20, maxDelay: 200 },
  });
  open.push(broker);
  await broker.connect();
  return broker;
}

function next(target: Broker, status: BrokerStatus): Promise<void> {
  return new Promise((resolve) => {
    const off = target.on("status", (s) => {
      if (s === status) {
        off();
        resolve();
      }
    });
  });
}

function ownerOf(channel: string): RedisClusterNode {
  const slot = keySlot(channel);
  const owner = cluster.masters.find((m) => m.slots && slot >= m.slots[0] && slot <= m.slots[1]);
  if (!owner) throw new Error(`no master owns slot ${slot}`);
  return owner;
}

async function onNode<T>(node: RedisClusterNode, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: node.host, port: node.port, lazyConnect: true });
  await client.connect();
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

const envelope = (n: number) => encodeEvent({ type: "test.cluster", data: { n }, source: "faults" }).json;
const numberOf = (message: string) => (decodeMessage(message).envelope.data as { n: number }).n;

describe("ClusterBroker under topology faults", () => {
  it("restores a sharded subscription when its master crashes and restarts", async () => {
    const broker = await connectBroker();
    const channel = `room:crash-${createId().slice(-8)}`;
    const live = collector<number>("live messages");
    await broker.subscribe(channel, (_, m) => live.push(numberOf(m)));
    const resubscribed = collector<readonly string[]>("resubscribed");
    broker.on("resubscribed", (channels) => resubscribed.push(channels));
    const before = await broker.publishRecoverable(channel, envelope(1));
    await live.waitFor(1);

    const owner = ownerOf(channel);
    const down = next(broker, "reconnecting");
    await owner.kill();
    await down;
    const queued = broker.publishRecoverable(channel, envelope(2)); // waits for the shard to return
    const up = next(broker, "ready");
    await owner.restart();
    await up;

    expect((await resubscribed.waitFor(1))[0]).toEqual([channel]);
    const after = await queued;
    expect(after.epoch).not.toBe(before.epoch);
    expect(after.offset).toBe(1);
    expect(await live.waitFor(2)).toEqual([1, 2]);
    await cluster.waitUntilHealthy();
  });

  it("moves a sharded subscription to the new owner when its slot is migrated", async () => {
    const broker = await connectBroker();
    const channel = `room:migrate-${createId().slice(-8)}`;
    const live = collector<number>("live messages");
    await broker.subscribe(channel, (_, m) => live.push(numberOf(m)));
    const resubscribed = collector<readonly string[]>("resubscribed");
    broker.on("resubscribed", (channels) => resubscribed.push(channels));

    const source = ownerOf(channel);
    const target = cluster.masters.find((m) => m !== source) as RedisClusterNode;
    await migrateEmptySlot(keySlot(channel), source, target);

    expect((await resubscribed.waitFor(1))[0]).toEqual([channel]);
    const published = await broker.publishRecoverable(channel, envelope(7));
    expect(published.offset).toBe(1);
    expect(await live.waitFor(1)).toEqual([7]);
    const onTarget = await onNode(target, (c) => c.call("PUBSUB", "SHARDNUMSUB", channel));
    expect(onTarget).toEqual([channel, 1]);
  });
});

/** The documented resharding steps, for a slot that holds no keys. */
async function migrateEmptySlot(
  slot: number,
  source: RedisClusterNode,
  target: RedisClusterNode,
): Promise<void> {
  const sourceId = String(await onNode(source, (c) => c.call("CLUSTER", "MYID")));
  const targetId = String(await onNode(target, (c) => c.call("CLUSTER", "MYID")));
  await onNode(target, (c) => c.call("CLUSTER", "SETSLOT", slot, "IMPORTING", sourceId));
  await onNode(source, (c) => c.call("CLUSTER", "SETSLOT", slot, "MIGRATING", targetId));
  await onNode(target, (c) => c.call("CLUSTER", "SETSLOT", slot, "NODE", targetId));
  await onNode(source, (c) => c.call("CLUSTER", "SETSLOT", slot, "NODE", targetId));
  for (const other of cluster.masters.filter((m) => m !== source && m !== target)) {
    await onNode(other, (c) => c.call("CLUSTER", "SETSLOT", slot, "NODE", targetId));
  }
}
