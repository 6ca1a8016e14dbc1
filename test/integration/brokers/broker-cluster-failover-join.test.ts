/**
 * Subscribing during and right after a failover, on a broker that had no subscription on the
 * failed master (issue 21, defect 2). Its slot map still names the dead master, so the shard link
 * opens towards a dead node; the subscription must follow the slot to the promoted replica as soon
 * as it serves, instead of waiting for the subscribe timeout (10 s) and failing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeMessage, encodeEvent } from "../../../protocol/codec.js";
import { createId } from "../../../protocol/ids.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { ClusterBroker } from "../../../relay/brokers/redis/cluster-broker.js";
import { keySlot } from "../../../relay/brokers/redis/redis-slot.js";
import { masterOfSlot, promoted, replicaOf, replicasInSync } from "../../harness/cluster-failover.js";
import { type RedisCluster, type RedisClusterNode, startRedisCluster } from "../../harness/redis-cluster.js";
import { collector } from "../../helpers/wait.js";

let cluster: RedisCluster;
const open: Broker[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ replicasPerMaster: 1 });
  await replicasInSync(cluster);
});
afterAll(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
  await cluster.stop();
});

/** A broker as a relay runs it: default subscribe timeout (10 s), fast reconnects. */
async function connectBroker(): Promise<ClusterBroker> {
  const broker = new ClusterBroker({
    nodes: cluster.startupNodes,
    reconnect: { minDelay: 20, maxDelay: 200 },
  });
  open.push(broker);
  await broker.connect();
  return broker;
}

/** A fresh room channel whose slot belongs to `master`. */
function channelOn(master: RedisClusterNode, label: string): string {
  for (let i = 0; i < 10_000; i++) {
    const channel = `room:${label}-${createId().slice(-8)}-${i}`;
    if (masterOfSlot(cluster, keySlot(channel)) === master) return channel;
  }
  throw new Error("no channel found for that master");
}

/** A channel on some other master than `not`, so the broker holds a shard link that survives. */
function channelElsewhere(not: RedisClusterNode, label: string): string {
  const other = cluster.masters.find((m) => m !== not && m.running) as RedisClusterNode;
  return channelOn(other, label);
}

const envelope = (n: number) => encodeEvent({ type: "test.join", data: { n }, source: "failover" }).json;
const numberOf = (raw: string) => (decodeMessage(raw).envelope.data as { n: number }).n;

async function subscribeAndReceive(broker: Broker, channel: string): Promise<number[]> {
  const live = collector<number>(`messages on ${channel}`);
  await broker.subscribe(channel, (_, raw) => live.push(numberOf(raw)));
  await broker.publishRecoverable(channel, envelope(1));
  return live.waitFor(1);
}

describe("ClusterBroker: subscribing across a failover", () => {
  it("a subscribe started while the master is dead completes once its replica is promoted", async () => {
    const master = cluster.masters[0] as RedisClusterNode;
    const replica = await replicaOf(cluster, master);
    const broker = await connectBroker();
    expect(await subscribeAndReceive(broker, channelElsewhere(master, "other"))).toEqual([1]);

    await master.kill();
    const channel = channelOn(master, "during");
    const subscribed = broker
      .subscribe(channel, () => {})
      .then(
        () => "subscribed",
        (error: { code?: string }) => error.code ?? "error",
      );
    await promoted(cluster, replica);
    expect(await subscribed).toBe("subscribed");
    expect(await subscribeAndReceive(broker, channel)).toEqual([1]);
  });

  it("a subscribe right after the promotion, from a stale slot map, completes", async () => {
    const master = cluster.masters[1] as RedisClusterNode;
    const replica = await replicaOf(cluster, master);
    const broker = await connectBroker();
    expect(await subscribeAndReceive(broker, channelElsewhere(master, "other"))).toEqual([1]);

    await master.kill();
    await promoted(cluster, replica);
    const channel = channelOn(master, "after");
    const outcome = await broker
      .subscribe(channel, () => {})
      .then(
        () => "subscribed",
        (error: { code?: string }) => error.code ?? "error",
      );
    expect(outcome).toBe("subscribed");
    expect(await subscribeAndReceive(broker, channel)).toEqual([1]);
    expect(broker.status).toBe("ready");
  });
});
