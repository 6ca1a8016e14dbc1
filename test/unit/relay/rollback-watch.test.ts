/**
 * The relay's rollback watch (relay/edge/delivery/rollback-watch.ts) on the real memory broker.
 * A rolled-back history is what the watch saw live and the broker no longer holds: here the watch is
 * fed positions beyond the broker's newest offset (what a promoted replica that missed writes looks
 * like); the cluster run is test/chaos/cluster-failover.test.ts.
 */
import { describe, expect, it } from "vitest";
import { encodeEvent } from "../../../protocol/codec.js";
import type { StreamPosition } from "../../../protocol/position.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { RollbackWatch } from "../../../relay/edge/delivery/rollback-watch.js";
import { createLogger } from "../../../relay/edge/operations/logger.js";
import { collector } from "../../helpers/wait.js";

const CHANNEL = "room:photo:1";

async function setup() {
  const broker = new MemoryBroker({ hub: new MemoryHub() });
  await broker.connect();
  const resyncs = collector<string>("resyncs");
  let renewed = 0;
  const watch = new RollbackWatch({
    broker,
    held: () => true,
    resync: (channel) => resyncs.push(channel),
    renewed: () => renewed++,
    logger: createLogger("silent"),
  });
  const publish = async (n: number) => {
    const { json, envelope } = encodeEvent({ type: "t.x", data: { n }, source: "test" });
    const position = await broker.publishRecoverable(CHANNEL, json);
    return { position: { offset: position.offset, epoch: position.epoch }, id: envelope.id };
  };
  return { broker, watch, resyncs, publish, renewals: () => renewed };
}

const at = (offset: number, epoch: string): StreamPosition => ({ offset, epoch });

describe("RollbackWatch", () => {
  it("passes increasing offsets and drops a repeated message without checking anything", async () => {
    const { watch, publish, resyncs } = await setup();
    const one = await publish(1);
    const two = await publish(2);
    expect(watch.live(CHANNEL, one.position, one.id)).toBe(true);
    expect(watch.live(CHANNEL, two.position, two.id)).toBe(true);
    expect(watch.live(CHANNEL, two.position, two.id)).toBe(false);
    expect(resyncs.items).toEqual([]);
  });

  it("an old offset whose history still agrees is checked, dropped, and the channel resynced (no renewal)", async () => {
    const { broker, watch, publish, resyncs, renewals } = await setup();
    const one = await publish(1);
    const two = await publish(2);
    watch.live(CHANNEL, one.position, one.id);
    watch.live(CHANNEL, two.position, two.id);
    expect(watch.live(CHANNEL, one.position, "another-id")).toBe(false);
    expect(await resyncs.waitFor(1)).toEqual([CHANNEL]);
    expect(renewals()).toBe(0);
    expect((await broker.position(CHANNEL)).epoch).toBe(two.position.epoch);
  });

  it("an offset handed out again renews the epoch once, resyncs, and drops the old epoch's late messages", async () => {
    const { broker, watch, publish, resyncs, renewals } = await setup();
    const one = await publish(1);
    const { epoch } = one.position;
    // The relay saw offsets 1..3 live; the broker (a promoted replica) only has offset 1.
    watch.live(CHANNEL, one.position, one.id);
    watch.live(CHANNEL, at(2, epoch), "lost-2");
    watch.live(CHANNEL, at(3, epoch), "lost-3");
    const reused = await publish(2);
    expect(watch.live(CHANNEL, reused.position, reused.id)).toBe(false);
    expect(watch.live(CHANNEL, at(3, epoch), "during-check")).toBe(false);
    expect(await resyncs.waitFor(1)).toEqual([CHANNEL]);
    expect(renewals()).toBe(1);
    const renewed = await broker.position(CHANNEL);
    expect(renewed).toEqual({ offset: 0, epoch: expect.not.stringMatching(epoch) });
    expect(watch.live(CHANNEL, at(4, epoch), "late")).toBe(false);
    const fresh = await publish(3);
    expect(fresh.position).toEqual({ offset: 1, epoch: renewed.epoch });
    expect(watch.live(CHANNEL, fresh.position, fresh.id)).toBe(true);
  });

  it("after an outage, a resubscribed channel is checked against what was seen before it", async () => {
    const { broker, watch, publish, resyncs, renewals } = await setup();
    const one = await publish(1);
    const { epoch } = one.position;
    watch.live(CHANNEL, one.position, one.id);
    watch.live(CHANNEL, at(2, epoch), "lost-2"); // acknowledged, then lost with the master
    watch.outage();
    // The new master hands out offsets 2 and 3 again; the relay's new subscription misses 2, and 3
    // arrives before `resubscribed`: it looks in order after what the relay last saw.
    await publish(2);
    const third = await publish(3);
    expect(watch.live(CHANNEL, third.position, third.id)).toBe(true);
    watch.resubscribed([CHANNEL, "room:photo:2"]);
    watch.restored();
    expect((await resyncs.waitFor(2)).sort()).toEqual([CHANNEL, "room:photo:2"]);
    expect(renewals()).toBe(1);
    expect((await broker.position(CHANNEL)).epoch).not.toBe(epoch);
  });
});
