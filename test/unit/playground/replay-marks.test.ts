/** The event inspector's "recovered" marks (playground/src/replay-marks.ts). */
import { describe, expect, it } from "vitest";
import { ReplayMarks } from "../../../playground/src/replay-marks.js";

describe("ReplayMarks", () => {
  it("marks nothing while the connection never dropped", () => {
    const marks = new ReplayMarks();
    marks.delivered("user:alice", "a1");
    expect(marks.recovered("user:alice", 1)).toEqual([]);
  });

  it("after an outage, marks the first `replayed` deliveries of the channel, not the live ones after them", () => {
    const marks = new ReplayMarks();
    marks.delivered("user:alice", "before");
    marks.connectionLost();
    for (const key of ["r1", "r2", "r3", "live1"]) marks.delivered("user:alice", key);
    marks.delivered("broadcast", "b1");
    expect(marks.recovered("user:alice", 3)).toEqual(["r1", "r2", "r3"]);
    // Settled: later deliveries on that channel are live.
    marks.delivered("user:alice", "live2");
    expect(marks.recovered("user:alice", 1)).toEqual([]);
    // Other channels are counted separately.
    expect(marks.recovered("broadcast", 1)).toEqual(["b1"]);
  });

  it("a gap settles the channel with nothing marked; a new outage starts over", () => {
    const marks = new ReplayMarks();
    marks.connectionLost();
    marks.delivered("room:photo:1", "x");
    marks.gap("room:photo:1");
    marks.delivered("room:photo:1", "y");
    expect(marks.recovered("room:photo:1", 1)).toEqual([]);
    marks.connectionLost();
    marks.delivered("room:photo:1", "z");
    expect(marks.recovered("room:photo:1", 5)).toEqual(["z"]);
  });
});
