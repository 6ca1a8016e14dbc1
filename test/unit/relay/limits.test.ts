import { describe, expect, it } from "vitest";
import { ConnectionIndex, FrameRateLimiter, TokenBucket } from "../../../relay/edge/connection/limits.js";

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("TokenBucket", () => {
  it("allows a burst, then refills at the rate", () => {
    const time = clock();
    const bucket = new TokenBucket(3, 2, time);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    time.advance(499);
    expect(bucket.take()).toBe(false);
    time.advance(1);
    expect(bucket.take()).toBe(true);
    time.advance(60_000);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it("ignores a clock that goes backwards", () => {
    const time = clock(1000);
    const bucket = new TokenBucket(1, 1, time);
    expect(bucket.take()).toBe(true);
    time.advance(-500);
    expect(bucket.take()).toBe(false);
  });
});

describe("FrameRateLimiter", () => {
  it("answers ok, then limited, then flood once refusals exceed the tolerance", () => {
    const time = clock();
    const limiter = new FrameRateLimiter({ ratePerSecond: 1, rateBurst: 2, floodTolerance: 3 }, time);
    const verdicts = Array.from({ length: 6 }, () => limiter.check());
    expect(verdicts).toEqual(["ok", "ok", "limited", "limited", "limited", "flood"]);
  });

  it("forgives a client that slows down", () => {
    const time = clock();
    const limiter = new FrameRateLimiter({ ratePerSecond: 10, rateBurst: 1, floodTolerance: 2 }, time);
    for (let round = 0; round < 20; round++) {
      expect(limiter.check()).toBe("ok");
      expect(limiter.check()).toBe("limited");
      time.advance(5000);
    }
  });
});

describe("ConnectionIndex", () => {
  it("counts connections per user and forgets empty users", () => {
    const [a, b, c] = [{ id: "a" }, { id: "b" }, { id: "c" }];
    const index = new ConnectionIndex<{ id: string }>();
    index.add("u1", a);
    index.add("u1", a);
    expect(index.count("u1")).toBe(1);
    index.add("u1", b);
    index.add("u2", c);
    expect([index.count("u1"), index.count("u2"), index.users]).toEqual([2, 1, 2]);
    index.remove("u1", a);
    index.remove("u1", a);
    expect(index.of("u1")).toEqual([b]);
    index.remove("u1", b);
    expect([index.count("u1"), index.users, index.of("u2")]).toEqual([0, 1, [c]]);
  });
});
