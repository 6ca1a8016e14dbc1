import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "../../../common/backoff.js";

const options = { minDelay: 500, maxDelay: 30_000 };

describe("backoffDelay", () => {
  it("grows exponentially up to the cap (random just below 1 shows the ceiling)", () => {
    const ceiling = (attempt: number) => backoffDelay(attempt, options, () => 0.999999) + 1;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(ceiling)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it("applies full jitter after the cap, so clients at the cap do not retry in lockstep", () => {
    const randoms = [0.1, 0.35, 0.6, 0.85];
    const delays = randoms.map((r) => backoffDelay(20, options, () => r));
    expect(delays).toEqual([3000, 10500, 18000, 25500]);
    expect(new Set(delays).size).toBe(randoms.length);
  });

  it("never overflows to 0 ms or to Infinity after many failures", () => {
    for (const attempt of [31, 32, 64, 1000, 1e9, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(backoffDelay(attempt, options, () => 0.5)).toBe(15_000);
    }
  });

  it("stays in [0, ceiling) for any random value, even out-of-range ones", () => {
    expect(backoffDelay(0, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => -1)).toBe(0);
    expect(backoffDelay(3, options, () => 2)).toBe(4000);
    expect(backoffDelay(-5, DEFAULT_BACKOFF, () => 0.5)).toBe(250);
  });
});
