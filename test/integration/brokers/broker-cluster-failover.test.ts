/**
 * Failover on a Redis Cluster with replicas: the master owning a subscribed channel dies for good,
 * its replica is promoted, and the broker moves the sharded subscription to the new master.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeMessage, encodeEvent } from "../../../protocol/codec.js";
import { createId } from "../../../protocol/ids.js";
import type { Broker, BrokerStatus } from "../../../relay/brokers/broker.js";
import { ClusterBroker } from "../../../relay/brokers/redis/cluster-broker.js";
import { keySlot } from "../../../relay/brokers/redis/redis-slot.js";
import { type RedisCluster, startRedisCluster } from "../../harness/redis-cluster.js";
import { collector, eventually } from "../../helpers/wait.js";

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ replicasPerMaster: 1 });
});
afterAll(async () => {
  await cluster.stop();
});

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

/** Replication starts just after the cluster forms (the harness sets repl-diskless-sync-delay 0); wait for it. */
async function replicasInSync(): Promise<void> {
  for (const replica of cluster.nodes.filter((n) => n.role === "replica")) {
    const client = new Redis({ host: replica.host, port: replica.port });
    try {
      await eventually(
        async () => String(await client.call("INFO", "replication")).includes("master_link_status:up"),
        {
          timeoutMs: 20_000,
          intervalMs: 200,
          label: `replica ${replica.port} in sync`,
        },
      );
    } finally {
      client.disconnect();
    }
  }
}

describe("ClusterBroker during a failover", () => {
  it("re-subscribes on the promoted replica and keeps delivering", async () => {
    const broker = new ClusterBroker({
      nodes: cluster.startupNodes,
      reconnect: { minDelay: 20, maxDelay: 200 },
    });
    try {
      await broker.connect();
      const channel = `room:failover-${createId().slice(-8)}`;
      const live = collector<number>("live messages");
      await broker.subscribe(channel, (_, m) =>
        live.push((decodeMessage(m).envelope.data as { n: number }).n),
      );
      const resubscribed = collector<readonly string[]>("resubscribed");
      broker.on("resubscribed", (channels) => resubscribed.push(channels));
      const envelope = (n: number) =>
        encodeEvent({ type: "test.failover", data: { n }, source: "faults" }).json;
      const events = collector<string>("event-type messages");
      await broker.psubscribe("test.*", (ch, m) => events.push(`${ch}|${m}`));
      const before = await broker.publishRecoverable(channel, envelope(1));
      await live.waitFor(1);

      const slot = keySlot(channel);
      const owner = cluster.masters.find((m) => m.slots && slot >= m.slots[0] && slot <= m.slots[1]);
      if (!owner) throw new Error("no owner");
      await replicasInSync(); // a replica that never synced cannot be promoted
      const down = next(broker, "reconnecting");
      await owner.kill(); // for good: its replica takes over
      await down;
      expect((await resubscribed.waitFor(1, 20_000))[0]).toEqual([channel]);
      const after = await broker.publishRecoverable(channel, envelope(2));
      expect(await live.waitFor(2)).toEqual([1, 2]);
      expect(after.offset).toBe(before.offset + 1); // the replica had the history: same epoch
      expect(after.epoch).toBe(before.epoch);
      expect(broker.status).toBe("ready");
      await broker.publish("test.after-failover", "still here");
      expect(await events.waitFor(1)).toEqual(["test.after-failover|still here"]);
    } finally {
      await broker.close();
    }
  });
});
