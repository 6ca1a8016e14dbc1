import { describe, expect, it } from "vitest";
import { type DeliveredEvent, Router } from "../../../client/router.js";
import { isEventBusError } from "../../../protocol/errors.js";

const event = (type: string, channel = "user:u1"): DeliveredEvent => ({
  id: "id",
  type,
  data: null,
  metadata: { source: "s", timestamp: "2026-01-01T00:00:00Z" },
  channel,
});

describe("Router", () => {
  it("matches event types with Redis glob semantics", () => {
    const router = new Router(() => {});
    const hits: string[] = [];
    router.add("photo.*", (e) => hits.push(`a:${e.type}`));
    router.add("photo.processing.?ompleted", (e) => hits.push(`b:${e.type}`));
    router.add("*.completed", (e) => hits.push(`c:${e.type}`));
    router.add("[bp]atch.*", (e) => hits.push(`d:${e.type}`));
    for (const type of [
      "photo.uploaded",
      "photo.processing.completed",
      "batch.processing.completed",
      "user.registered",
    ]) {
      router.dispatch(event(type));
    }
    expect(hits).toEqual([
      "a:photo.uploaded",
      "a:photo.processing.completed",
      "b:photo.processing.completed",
      "c:photo.processing.completed",
      "c:batch.processing.completed",
      "d:batch.processing.completed",
    ]);
  });

  it("unsubscribing is idempotent, also from inside a handler; channel filters apply", () => {
    const router = new Router(() => {});
    const hits: string[] = [];
    const offA = router.add("*", () => {
      hits.push("a");
      offA();
      offB();
    });
    const offB = router.add("*", () => hits.push("b"));
    router.add(
      "*",
      () => hits.push("room"),
      (channel) => channel === "room:x",
    );
    router.dispatch(event("t.x"));
    router.dispatch(event("t.x", "room:x"));
    offA();
    expect(hits).toEqual(["a", "room"]);
    expect(router.size).toBe(1);
  });

  it("a throwing handler is reported and the others still run", () => {
    const errors: unknown[] = [];
    const router = new Router((e) => errors.push(e));
    const hits: string[] = [];
    router.add("*", () => {
      throw new Error("boom");
    });
    router.add("*", () => hits.push("after"));
    router.dispatch(event("t.x"));
    expect(hits).toEqual(["after"]);
    expect(errors).toHaveLength(1);
  });

  it("refuses empty and oversized patterns with INVALID_PATTERN", () => {
    const router = new Router(() => {});
    expect(() => router.add("", () => {})).toThrow(expect.objectContaining({ code: "INVALID_PATTERN" }));
    try {
      router.add("x".repeat(257), () => {});
    } catch (error) {
      expect(isEventBusError(error, "INVALID_PATTERN")).toBe(true);
    }
  });
});
