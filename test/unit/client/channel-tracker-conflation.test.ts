/** The tracker and latest-only `after` markers, and rewinds (a join without a position of ours). */
import { describe, expect, it } from "vitest";
import { ChannelTracker, type Incoming, type Step } from "../../../client/channel-tracker.js";

const E = "epochA";
const msg = (offset: number, after?: number): Incoming => ({
  envelope: {
    id: `id-${offset}`,
    type: "t.x",
    data: offset,
    metadata: { source: "s", timestamp: "2026-01-01T00:00:00Z" },
  },
  position: { offset, epoch: E },
  ...(after !== undefined && { after }),
});
const offsets = (step: Step) => step.deliver.map((m) => m.position?.offset);

function joined(offset: number): ChannelTracker {
  const tracker = new ChannelTracker();
  tracker.begin();
  tracker.synced({ position: { offset, epoch: E }, recovered: undefined, messages: [], more: false }, false);
  return tracker;
}

describe("ChannelTracker with latest-only markers", () => {
  it("a message whose `after` is at or below the position is delivered across the skipped offsets", () => {
    const t = joined(5);
    const step = t.live(msg(9, 5));
    expect(offsets(step)).toEqual([9]);
    expect(step.history).toBeUndefined();
    expect(step.gap).toBeUndefined();
    expect(offsets(t.live(msg(10)))).toEqual([10]);
  });

  it("an `after` beyond the position is a real hole: history is asked, nothing delivered yet", () => {
    const t = joined(5);
    const step = t.live(msg(9, 7));
    expect(offsets(step)).toEqual([]);
    expect(step.history).toMatchObject({ offset: 5, epoch: E });
  });

  it("held during a sync, a marked message is delivered after the recovered page", () => {
    const t = joined(5);
    t.begin();
    expect(offsets(t.live(msg(12, 8)))).toEqual([]);
    const page = {
      position: { offset: 12, epoch: E },
      recovered: true,
      messages: [msg(6), msg(8)],
      more: false,
    };
    expect(offsets(t.synced(page, false))).toEqual([6, 8, 12]);
  });

  it("a rewind answer (no position of ours) replays the page, then takes live messages after it", () => {
    const t = new ChannelTracker();
    t.begin();
    const page = {
      position: { offset: 20, epoch: E },
      recovered: true,
      messages: [msg(19), msg(20)],
      more: false,
    };
    expect(offsets(t.synced(page, false))).toEqual([19, 20]);
    expect(offsets(t.live(msg(21)))).toEqual([21]);
  });

  it("a rewind that replayed nothing starts at the relay's position", () => {
    const t = new ChannelTracker();
    t.begin();
    t.synced({ position: { offset: 20, epoch: E }, recovered: true, messages: [], more: false }, false);
    expect(t.position).toMatchObject({ offset: 20 });
    expect(offsets(t.live(msg(21)))).toEqual([21]);
  });
});
