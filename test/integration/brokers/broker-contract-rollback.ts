/**
 * Part of the Broker contract (broker-contract.ts): positions carry the id of the event at their
 * offset, `readHistory` checks a `since` id against the stored event, and `renewEpoch` starts a new
 * epoch once when the history no longer holds a position someone saw (docs/architecture.md,
 * "Rollbacks"). A real rollback needs a failover (test/chaos/cluster-failover.test.ts); here a
 * position with another event's id stands for what a rolled-back history looks like.
 */
import { expect, it } from "vitest";
import { encodeEvent } from "../../../protocol/codec.js";
import { createId } from "../../../protocol/ids.js";
import type { Broker, HistoryOptions } from "../../../relay/brokers/broker.js";

/** The event id of a serialised envelope. */
export const idOf = (json: string) => (JSON.parse(json) as { id: string }).id;
const envelope = (n: number) => encodeEvent({ type: "test.event", data: { n }, source: "contract" }).json;
const room = (label: string) => `room:${label}-${process.pid}-${createId().slice(-12)}`;

export function describeRollbackContract(connect: (history?: Partial<HistoryOptions>) => Promise<Broker>) {
  it("checks the id a position carries against the event stored at its offset", async () => {
    const pub = await connect({ maxLength: 3 });
    const channel = room("ids");
    const { epoch } = await pub.position(channel);
    const jsons = [1, 2, 3, 4, 5].map(envelope);
    for (const json of jsons) await pub.publishRecoverable(channel, json);
    const at = (offset: number, id: string) => pub.readHistory(channel, { offset, epoch, id }, 10);
    const offsets = (messages: readonly string[]) =>
      messages.map((m) => (JSON.parse(m) as { offset: number }).offset);

    const same = await at(3, idOf(jsons[2] as string));
    expect([same.recovered, offsets(same.messages), same.diverged]).toEqual([true, [4, 5], undefined]);
    // Offset 2 was trimmed (3 kept), yet it is still checked: it is the newest trimmed one.
    const justTrimmed = await at(2, idOf(envelope(9)));
    expect([justTrimmed.recovered, justTrimmed.diverged]).toEqual([false, true]);
    const other = await at(4, idOf(envelope(9)));
    expect([other.recovered, other.messages.length, other.diverged]).toEqual([false, 0, true]);
    const newest = await at(5, idOf(envelope(9)));
    expect([newest.recovered, newest.diverged]).toEqual([false, true]);
    expect(newest.position).toEqual({ offset: 5, epoch, id: idOf(jsons[4] as string) });
    const ahead = await pub.readHistory(channel, { offset: 9, epoch }, 10);
    expect([ahead.recovered, ahead.diverged]).toEqual([false, true]);
  });

  it("renews the epoch once when a position someone saw is no longer in the history", async () => {
    const pub = await connect();
    const channel = room("renew");
    const { epoch } = await pub.position(channel);
    const jsons = [1, 2, 3].map(envelope);
    for (const json of jsons) await pub.publishRecoverable(channel, json);
    const seen = { offset: 3, epoch, id: idOf(jsons[2] as string) };

    const agrees = await pub.renewEpoch(channel, seen);
    expect(agrees).toEqual({ renewed: false, position: { offset: 3, epoch } });
    const rolledBack = { offset: 2, epoch, id: idOf(envelope(9)) };
    const renewed = await pub.renewEpoch(channel, rolledBack);
    expect(renewed.renewed).toBe(true);
    expect(renewed.position.offset).toBe(0);
    expect(renewed.position.epoch).not.toBe(epoch);
    const again = await pub.renewEpoch(channel, rolledBack);
    expect(again).toEqual({ renewed: false, position: renewed.position });
    const old = await pub.readHistory(channel, { offset: 1, epoch }, 10);
    expect([old.recovered, old.position]).toEqual([false, renewed.position]);
    const next = await pub.publishRecoverable(channel, envelope(4));
    expect([next.offset, next.epoch]).toEqual([1, renewed.position.epoch]);
    const replay = await pub.readHistory(channel, renewed.position, 10);
    expect(replay.messages.map((m) => (JSON.parse(m) as { offset: number }).offset)).toEqual([1]);
  });
}
