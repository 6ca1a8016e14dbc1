import { describe, expect, it } from "vitest";
import { createId, idTimestamp, isId } from "../../../protocol/ids.js";

describe("UUIDv7 ids", () => {
  it("are canonical UUIDv7 strings carrying their creation time", () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const id = createId(now);
    expect(isId(id)).toBe(true);
    expect(id[14]).toBe("7");
    expect("89ab").toContain(id[19]);
    expect(idTimestamp(id)).toBe(now);
  });

  it("strictly increase, also within one millisecond and when the clock steps back", () => {
    const ids: string[] = [];
    const t = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 10_000; i++) ids.push(createId(t + Math.floor(i / 5000) - (i === 7000 ? 5 : 0)));
    for (let i = 1; i < ids.length; i++) expect((ids[i] as string) > (ids[i - 1] as string)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("rejects what is not a UUIDv7", () => {
    expect(isId("not-an-id")).toBe(false);
    expect(isId("0190e4c2-3f6a-4c8b-9d3e-123456789abc")).toBe(false); // v4
    expect(isId(createId().toUpperCase())).toBe(false);
  });
});
