import { describe, expect, it } from "vitest";
import {
  attemptBudget,
  DEFAULT_GROUPS,
  resolveGroupDefaults,
  resolveGroupSettings,
} from "../../../relay/backend/groups/group-options.js";
import { MemoryStreams } from "../../../relay/brokers/memory/memory-streams.js";

describe("attemptBudget", () => {
  const retrying = { retryOnError: true, maxRetries: 3 };
  it("numbers attempts by the group's delivery count and keeps the budget across consumers", () => {
    expect(attemptBudget(1, retrying)).toEqual({ first: 1, last: 4, exhausted: false });
    expect(attemptBudget(3, retrying)).toEqual({ first: 3, last: 4, exhausted: false });
    // past the budget: one more attempt for a delivery whose consumer died, then DELIVERY_LIMIT
    expect(attemptBudget(5, retrying)).toEqual({ first: 5, last: 5, exhausted: false });
    expect(attemptBudget(6, retrying)).toEqual({ first: 6, last: 6, exhausted: true });
  });
  it("gives retryOnError: false one attempt per delivery, and one redelivery after a death", () => {
    const once = { retryOnError: false, maxRetries: 3 };
    expect(attemptBudget(1, once)).toEqual({ first: 1, last: 1, exhausted: false });
    expect(attemptBudget(2, once)).toEqual({ first: 2, last: 2, exhausted: false });
    expect(attemptBudget(3, once).exhausted).toBe(true);
  });
});

describe("group options", () => {
  it("fills defaults and names the setting that is wrong", () => {
    expect(resolveGroupDefaults(undefined)).toEqual(DEFAULT_GROUPS);
    expect(resolveGroupDefaults({ maxLength: 10 })).toMatchObject({
      maxLength: 10,
      claimIdleMs: 30_000,
    });
    expect(() => resolveGroupDefaults({ prefetch: 0 })).toThrow(
      /CONFIG_INVALID: EventBusClient: groups.prefetch/,
    );
  });
  it("validates group, consumer and concurrency, and prefetches at least the concurrency", () => {
    const settings = resolveGroupSettings(DEFAULT_GROUPS, { group: "thumbnailer", concurrency: 40 });
    expect(settings).toMatchObject({ group: "thumbnailer", concurrency: 40, prefetch: 40 });
    expect(settings.consumer).toMatch(/^[^:]+:\d+:[0-9a-f]{6}$/);
    for (const bad of [
      { group: "" },
      { group: "a b" },
      { group: "g", concurrency: 0 },
      { group: "g", consumer: "x y" },
    ]) {
      expect(() => resolveGroupSettings(DEFAULT_GROUPS, bad)).toThrow(/INVALID_OPTIONS/);
    }
  });
});

describe("MemoryStreams bounds", () => {
  it("trims by length and by age, and reports pending entries trimmed away", () => {
    let now = 1_000_000;
    const streams = new MemoryStreams(() => now);
    expect(streams.appendIfGrouped("t", "ignored")).toBeNull(); // no group: nothing kept
    streams.createGroup("t", "g", { maxLength: 3, maxAgeMs: 1000 });
    for (let i = 0; i < 5; i++) streams.appendIfGrouped("t", `m${i}`);
    expect(streams.info("t")).toMatchObject({ length: 3, groups: [{ group: "g", lag: 3, pending: 0 }] });
    const [first] = streams.read("t", "g", "c1", 1);
    expect(first?.message).toBe("m2");
    now += 2000;
    streams.appendIfGrouped("t", "late");
    expect(streams.range("t", undefined, 10).map((e) => e.message)).toEqual(["late"]);
    const claim = streams.claim("t", "g", "c2", { minIdleMs: 100, count: 10, cursor: "0-0" });
    expect(claim.trimmed).toEqual([first?.id]);
    expect(claim.entries).toEqual([]);
  });
});
