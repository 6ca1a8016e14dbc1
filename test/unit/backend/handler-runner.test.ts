/**
 * One handler run: timeout per attempt, exponential backoff between retries (checked against a
 * manual clock that records every delay asked for), and an outcome instead of a throw.
 */
import { describe, expect, it } from "vitest";
import type { Clock } from "../../../common/clock.js";
import { retryDelay, runWithRetries } from "../../../relay/backend/handler-runner.js";
import type { RetryPolicy } from "../../../relay/backend/types.js";

const SEEDS: RetryPolicy = { maxRetries: 3, initialDelay: 1000, maxDelay: 10_000, backoffMultiplier: 2 };

/** Timers that fire only when the test says so; remembers every delay requested. */
function manualClock() {
  let now = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  let nextId = 0;
  const requested: number[] = [];
  const clock: Clock = {
    now: () => now,
    setTimeout(run, ms) {
      requested.push(ms);
      timers.set(++nextId, { at: now + ms, run });
      return nextId;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
  };
  /** Runs every timer due up to `ms` from now, in time order, letting promises settle in between. */
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].run();
    }
    now = until;
    await new Promise((r) => setImmediate(r));
  };
  return { clock, advance, requested, pending: () => timers.size };
}

describe("retryDelay", () => {
  it("doubles from initialDelay and stops at maxDelay, as in the seeds (1000, 2000, 4000)", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, SEEDS))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(retryDelay(3, { ...SEEDS, backoffMultiplier: 3, initialDelay: 100 })).toBe(900);
  });
});

describe("runWithRetries", () => {
  it("retries a failing handler after 1 s, 2 s and 4 s, then reports the last error", async () => {
    const { clock, advance, requested } = manualClock();
    const attempts: number[] = [];
    const outcome = runWithRetries(
      (n) => {
        attempts.push(n);
        throw new Error(`boom ${n}`);
      },
      { timeoutMs: 30_000, retryOnError: true, retry: SEEDS },
      clock,
    );
    await advance(999);
    expect(attempts).toEqual([1]);
    await advance(1);
    expect(attempts).toEqual([1, 2]);
    await advance(2000 + 4000);
    const result = await outcome;
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(result).toMatchObject({ ok: false, attempts: 4, error: new Error("boom 4") });
    expect(requested.filter((ms) => ms !== 30_000)).toEqual([1000, 2000, 4000]);
  });

  it("times out a hanging attempt with HANDLER_TIMEOUT and succeeds on a later attempt", async () => {
    const { clock, advance, pending } = manualClock();
    const outcome = runWithRetries(
      (n) => (n === 1 ? new Promise(() => {}) : Promise.resolve("done")),
      { timeoutMs: 5000, retryOnError: true, retry: SEEDS },
      clock,
    );
    await advance(5000 + 1000);
    expect(await outcome).toEqual({ ok: true, attempts: 2 });
    expect(pending()).toBe(0); // the second attempt's timeout was cleared
  });

  it("makes one attempt when retryOnError is false, and reports a timeout's code", async () => {
    const { clock, advance } = manualClock();
    const outcome = runWithRetries(
      () => new Promise(() => {}),
      { timeoutMs: 50, retryOnError: false, retry: SEEDS },
      clock,
    );
    await advance(50);
    const result = await outcome;
    expect(result.ok).toBe(false);
    expect(!result.ok && (result.error as { code?: string }).code).toBe("HANDLER_TIMEOUT");
  });
});
