/** The contract's latest-only rules and rewind option, and the relay's page conflation. */
import { describe, expect, it } from "vitest";
import { defineLatestOnly, latestOnlyKey } from "../../../protocol/latest-only.js";
import { isRewindRequest, toRewindRequest } from "../../../protocol/rewind.js";
import { conflatePage } from "../../../relay/edge/delivery/conflation.js";

const rules = defineLatestOnly({ "photo.processing.progress": "data.photoId" });
const progress = (photoId: unknown, n: number) =>
  JSON.stringify({
    id: `i${n}`,
    type: "photo.processing.progress",
    data: { photoId, n },
    metadata: {},
    offset: n,
  });
const other = (n: number) =>
  JSON.stringify({ id: `i${n}`, type: "comment.added", data: { n }, metadata: {}, offset: n });

describe("latest-only rules", () => {
  it("keys an event by type and key value; other types and odd keys are not latest-only", () => {
    const key = latestOnlyKey(rules, { type: "photo.processing.progress", data: { photoId: "p1" } });
    expect(key).toBeDefined();
    expect(latestOnlyKey(rules, { type: "photo.processing.progress", data: { photoId: "p2" } })).not.toBe(
      key,
    );
    expect(latestOnlyKey(rules, { type: "photo.processing.progress", data: { photoId: 1 } })).not.toBe(
      latestOnlyKey(rules, { type: "photo.processing.progress", data: { photoId: "1" } }),
    );
    expect(latestOnlyKey(rules, { type: "comment.added", data: { photoId: "p1" } })).toBeUndefined();
    expect(
      latestOnlyKey(rules, { type: "photo.processing.progress", data: { photoId: { x: 1 } } }),
    ).toBeUndefined();
    expect(latestOnlyKey(rules, { type: "photo.processing.progress", data: null })).toBeUndefined();
    expect(latestOnlyKey(rules, { type: "toString", data: {} })).toBeUndefined();
  });

  it("refuses bad declarations with INVALID_OPTIONS", () => {
    expect(() => defineLatestOnly({ "a.b": "photoId" })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS" }),
    );
    expect(() => defineLatestOnly({ $x: "data.id" })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS" }),
    );
    expect(() => defineLatestOnly([] as never)).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));
  });

  it("a page keeps only the newest message per key, and every other message, in order", () => {
    const page = [
      progress("a", 1),
      progress("b", 2),
      other(3),
      progress("a", 4),
      progress("a", 5),
      progress("b", 6),
    ];
    expect(conflatePage(rules, page)).toEqual([other(3), progress("a", 5), progress("b", 6)]);
    expect(conflatePage({}, page)).toBe(page);
  });
});

describe("rewind", () => {
  it("takes a count or a duration", () => {
    expect(toRewindRequest(50)).toEqual({ count: 50 });
    expect(toRewindRequest("2m")).toEqual({ ms: 120_000 });
    expect(toRewindRequest("30s")).toEqual({ ms: 30_000 });
    expect(toRewindRequest("1h")).toEqual({ ms: 3_600_000 });
  });

  it.each([0, -1, 1.5, 10_001, "2", "2d", "", "25h", null, {}])(
    "refuses %j with INVALID_OPTIONS",
    (value) => {
      expect(() => toRewindRequest(value)).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));
    },
  );

  it("checks the wire form", () => {
    expect(isRewindRequest({ count: 5 })).toBe(true);
    expect(isRewindRequest({ ms: 1000 })).toBe(true);
    expect(isRewindRequest({ count: 5, ms: 1 })).toBe(false);
    expect(isRewindRequest({ count: "5" })).toBe(false);
    expect(isRewindRequest({})).toBe(false);
    expect(isRewindRequest(null)).toBe(false);
  });
});
