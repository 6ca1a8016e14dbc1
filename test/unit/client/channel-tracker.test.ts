import { describe, expect, it } from "vitest";
import { ChannelTracker, type Incoming, RecentIds, type Step } from "../../../client/channel-tracker.js";

const E = "epochA";
const msg = (offset: number | undefined, epoch = E, id = `id-${epoch}-${offset}`): Incoming => ({
  envelope: {
    id,
    type: "t.x",
    data: offset ?? null,
    metadata: { source: "s", timestamp: "2026-01-01T00:00:00Z" },
  },
  position: offset === undefined ? undefined : { offset, epoch },
});
const offsets = (step: Step) => step.deliver.map((m) => m.position?.offset ?? m.envelope?.id);
const fresh = (offset: number, epoch = E) => ({
  position: { offset, epoch },
  recovered: undefined,
  messages: [],
  more: false,
});

function joined(offset = 0): ChannelTracker {
  const tracker = new ChannelTracker();
  tracker.begin();
  tracker.synced(fresh(offset), false);
  return tracker;
}

describe("ChannelTracker", () => {
  it("delivers live messages in order, once", () => {
    const t = joined(0);
    expect(offsets(t.live(msg(1)))).toEqual([1]);
    expect(offsets(t.live(msg(2)))).toEqual([2]);
    expect(offsets(t.live(msg(2)))).toEqual([]);
    expect(offsets(t.live(msg(1)))).toEqual([]);
    expect(t.position).toEqual({ offset: 2, epoch: E, id: "id-epochA-2" });
  });

  it("holds live messages that arrive before the join answer, then delivers those after its position", () => {
    const t = new ChannelTracker();
    t.begin();
    for (const o of [4, 5, 6]) expect(offsets(t.live(msg(o)))).toEqual([]);
    const step = t.synced(fresh(4), false);
    expect(offsets(step)).toEqual([5, 6]);
    expect(step.settled).toEqual({ recovered: null, replayed: 0 });
    expect(step.idle).toBe(true);
  });

  it("recovery: history first, then held live messages, without duplicates", () => {
    const t = joined(3);
    t.begin();
    t.live(msg(6));
    t.live(msg(7));
    const step = t.synced(
      { position: { offset: 6, epoch: E }, recovered: true, messages: [msg(4), msg(5), msg(6)], more: false },
      false,
    );
    expect(offsets(step)).toEqual([4, 5, 6, 7]);
    expect(step.settled).toEqual({ recovered: true, replayed: 3 });
  });

  it("pages: keeps holding while `more`, asks history from the last offset", () => {
    const t = joined(0);
    t.begin();
    t.live(msg(5));
    const first = t.synced(
      { position: { offset: 5, epoch: E }, recovered: true, messages: [msg(1), msg(2)], more: true },
      false,
    );
    expect(offsets(first)).toEqual([1, 2]);
    expect(first.history).toEqual({ offset: 2, epoch: E, id: "id-epochA-2" });
    expect(first.settled).toBeUndefined();
    expect(t.pending).toBe(true);
    t.live(msg(6));
    const last = t.synced(
      { position: { offset: 6, epoch: E }, recovered: true, messages: [msg(3), msg(4)], more: false },
      true,
    );
    expect(offsets(last)).toEqual([3, 4, 5, 6]);
    expect(last.settled).toEqual({ recovered: true, replayed: 4 });
  });

  it("a hole in live offsets asks history and holds later messages until it is filled", () => {
    const t = joined(0);
    t.live(msg(1));
    const hole = t.live(msg(4));
    expect(offsets(hole)).toEqual([]);
    expect(hole.history).toEqual({ offset: 1, epoch: E, id: "id-epochA-1" });
    expect(offsets(t.live(msg(5)))).toEqual([]);
    const filled = t.synced(
      { position: { offset: 5, epoch: E }, recovered: true, messages: [msg(2), msg(3), msg(4)], more: false },
      true,
    );
    expect(offsets(filled)).toEqual([2, 3, 4, 5]);
    expect(filled.settled).toBeUndefined(); // a repair, not a (re)join
    expect(filled.idle).toBe(true);
  });

  it("recovered: false in the same epoch (history trimmed) is a gap; delivery resumes after the relay's position", () => {
    const t = joined(10);
    t.begin();
    t.live(msg(2500));
    t.live(msg(2501));
    const step = t.synced(
      { position: { offset: 2500, epoch: E }, recovered: false, messages: [], more: false },
      false,
    );
    expect(step.gap).toEqual({ position: { offset: 2500, epoch: E }, at: 0 });
    expect(step.history).toBeUndefined();
    expect(offsets(step)).toEqual([2501]);
    expect(step.settled).toEqual({ recovered: false, replayed: 0 });
  });

  it("a new epoch (Redis lost the history) is a gap, then the new epoch is replayed from its start", () => {
    const t = joined(10);
    t.begin();
    t.live(msg(3, "epochB"));
    t.live(msg(4, "epochB"));
    const lost = t.synced(
      { position: { offset: 3, epoch: "epochB" }, recovered: false, messages: [], more: false },
      false,
    );
    expect(lost.gap).toEqual({ position: { offset: 0, epoch: "epochB" }, at: 0 });
    expect(lost.history).toEqual({ offset: 0, epoch: "epochB" });
    expect(offsets(lost)).toEqual([]);
    expect(lost.settled).toBeUndefined();
    const replay = t.synced(
      {
        position: { offset: 4, epoch: "epochB" },
        recovered: true,
        messages: [msg(1, "epochB"), msg(2, "epochB"), msg(3, "epochB")],
        more: false,
      },
      true,
    );
    expect(offsets(replay)).toEqual([1, 2, 3, 4]);
    expect(replay.gap).toBeUndefined();
    expect(replay.settled).toEqual({ recovered: false, replayed: 3 });
  });

  it("an epoch change in live traffic asks history, replays the new epoch, and drops the old one's late messages", () => {
    const t = joined(5);
    const changed = t.live(msg(1, "epochB"));
    expect(changed.history).toEqual({ offset: 5, epoch: E });
    const step = t.synced(
      { position: { offset: 1, epoch: "epochB" }, recovered: false, messages: [], more: false },
      true,
    );
    expect(step.gap?.position).toEqual({ offset: 0, epoch: "epochB" });
    expect(step.history).toEqual({ offset: 0, epoch: "epochB" });
    const replay = t.synced(
      {
        position: { offset: 1, epoch: "epochB" },
        recovered: true,
        messages: [msg(1, "epochB")],
        more: false,
      },
      true,
    );
    expect(offsets(replay)).toEqual([1]);
    expect(offsets(t.live(msg(6, E)))).toEqual([]);
    expect(t.live(msg(6, E)).history).toBeUndefined();
    expect(offsets(t.live(msg(2, "epochB")))).toEqual([2]);
  });

  it("a new epoch that is itself already trimmed gives a second gap and resumes at the relay's position", () => {
    const t = joined(5);
    t.begin();
    const lost = t.synced(
      { position: { offset: 3000, epoch: "epochB" }, recovered: false, messages: [], more: false },
      false,
    );
    expect(lost.history).toEqual({ offset: 0, epoch: "epochB" });
    const trimmed = t.synced(
      { position: { offset: 3000, epoch: "epochB" }, recovered: false, messages: [], more: false },
      true,
    );
    expect(trimmed.gap).toEqual({ position: { offset: 3000, epoch: "epochB" }, at: 0 });
    expect(trimmed.history).toBeUndefined();
    expect(trimmed.settled).toEqual({ recovered: false, replayed: 0 });
  });

  it("does not loop when the relay says nothing is missing yet a held message does not follow", () => {
    const t = joined(1);
    expect(t.live(msg(3)).history).toEqual({ offset: 1, epoch: E });
    const step = t.synced(
      { position: { offset: 1, epoch: E }, recovered: true, messages: [], more: false },
      true,
    );
    expect(step.history).toBeUndefined();
    expect(step.gap).toEqual({ position: { offset: 3, epoch: E }, at: 0 });
    expect(offsets(step)).toEqual([3]);
  });

  it("messages without an offset (raw PUBLISH) are delivered live, de-duplicated by id", () => {
    const t = joined(0);
    expect(offsets(t.live(msg(undefined, E, "raw-1")))).toEqual(["raw-1"]);
    expect(offsets(t.live(msg(undefined, E, "raw-1")))).toEqual([]);
    expect(offsets(t.live(msg(undefined, E, "raw-2")))).toEqual(["raw-2"]);
  });

  it("bounds the hold-back buffer and fetches what it dropped from history afterwards", () => {
    const t = new ChannelTracker(3);
    t.begin();
    for (const o of [1, 2, 3, 4, 5]) t.live(msg(o));
    const step = t.synced(fresh(0), false);
    expect(offsets(step)).toEqual([1, 2, 3]);
    expect(step.history).toEqual({ offset: 3, epoch: E, id: "id-epochA-3" });
    const rest = t.synced(
      { position: { offset: 5, epoch: E }, recovered: true, messages: [msg(4), msg(5)], more: false },
      true,
    );
    expect(offsets(rest)).toEqual([4, 5]);
  });

  it("an undecodable message keeps its place in the order", () => {
    const t = joined(0);
    expect(offsets(t.live({ envelope: null, position: { offset: 1, epoch: E } }))).toEqual([1]);
    expect(offsets(t.live(msg(2)))).toEqual([2]);
  });

  it("an old offset carrying an event it never delivered asks history (a rollback); a repeat does not", () => {
    const t = joined(0);
    for (const o of [1, 2, 3]) t.live(msg(o));
    const repeat = t.live(msg(2));
    expect([offsets(repeat), repeat.history]).toEqual([[], undefined]);
    // Offset 2 handed out again to another event (a failover lost acknowledged writes).
    const reused = t.live(msg(2, E, "another-event"));
    expect(offsets(reused)).toEqual([]);
    expect(reused.history).toEqual({ offset: 3, epoch: E, id: "id-epochA-3" });
    // The relay's id check answers a gap; delivery resumes after its position.
    const answered = t.synced(
      { position: { offset: 4, epoch: E }, recovered: false, messages: [], more: false },
      true,
    );
    expect(answered.gap).toEqual({ position: { offset: 4, epoch: E }, at: 0 });
    expect(offsets(t.live(msg(5, E, "fresh")))).toEqual([5]);
  });

  it("resync asks history from the position unless a request is already pending", () => {
    const t = joined(7);
    expect(t.resync().history).toEqual({ offset: 7, epoch: E });
    expect(t.resync().history).toBeUndefined();
  });

  it("a rejoin without recovery info while holding a position is treated as a gap (conservative)", () => {
    const t = joined(2);
    t.begin();
    const step = t.synced(fresh(9), false);
    expect(step.gap?.position.offset).toBe(9);
  });

  it("after three slow-consumer cuts while recovering without progress, gives up with an explicit gap", () => {
    const t = joined(5);
    t.begin();
    t.sessionEnded(); // a network flap during the join: not a stall
    expect(t.givingUp).toBe(false);
    for (let session = 0; session < 3; session++) {
      expect(t.since).toEqual({ offset: 5, epoch: E });
      t.begin(); // a join/hello carrying since = 5 ...
      t.sessionEnded(); // ... cut before its answer arrived
      t.cutAsSlow(); // ... by the relay, as a slow consumer (a slow link, a big first page)
      t.cutAsSlow(); // told twice (notice and next hello): counted once
    }
    expect(t.givingUp).toBe(true);
    expect(t.since).toBeUndefined(); // the next sync asks for no history
    t.begin();
    const step = t.synced(fresh(60), false);
    expect(step.gap).toEqual({ position: { offset: 60, epoch: E }, at: 0 });
    expect(step.settled).toEqual({ recovered: false, replayed: 0 });
    expect(t.givingUp).toBe(false);
    expect(offsets(t.live(msg(61)))).toEqual([61]);
  });

  it("a session that made progress while recovering resets the count", () => {
    const t = joined(5);
    t.begin();
    t.sessionEnded();
    t.begin();
    t.synced(
      { position: { offset: 9, epoch: E }, recovered: true, messages: [msg(6), msg(7)], more: true },
      false,
    );
    t.sessionEnded(); // cut while fetching the next page, but 6 and 7 arrived
    t.begin();
    t.sessionEnded();
    t.begin();
    t.sessionEnded();
    expect(t.givingUp).toBe(false);
    expect(t.since).toEqual({ offset: 7, epoch: E, id: "id-epochA-7" });
  });
});

describe("RecentIds", () => {
  it("remembers the last N ids", () => {
    const ids = new RecentIds(2);
    expect([ids.add("a"), ids.add("a"), ids.add("b"), ids.add("c"), ids.add("a")]).toEqual([
      true,
      false,
      true,
      true,
      true,
    ]);
  });
});
