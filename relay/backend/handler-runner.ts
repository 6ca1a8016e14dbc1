/**
 * Runs one handler for one event: each attempt has a timeout (HANDLER_TIMEOUT), a failed or
 * timed-out attempt is retried after an exponential backoff (initialDelay · multiplier^(n-1),
 * capped at maxDelay), and the outcome says whether it finally succeeded. Never throws: a
 * handler's failure is its own and never reaches the caller or another handler.
 *
 * A timed-out attempt is abandoned, not cancelled (JavaScript cannot stop it); its late result is
 * ignored.
 */

import { type Clock, sleep } from "../../common/clock.js";
import { EventBusError } from "../../protocol/errors.js";
import type { RetryPolicy } from "./types.js";

export interface RunPolicy {
  readonly timeoutMs: number;
  readonly retryOnError: boolean;
  readonly retry: RetryPolicy;
}

export type RunOutcome =
  | { readonly ok: true; readonly attempts: number }
  | { readonly ok: false; readonly attempts: number; readonly error: unknown };

/** The delay before retry number `retry` (1 for the first retry). */
export function retryDelay(retry: number, policy: RetryPolicy): number {
  const delay = policy.initialDelay * policy.backoffMultiplier ** Math.max(0, retry - 1);
  return Math.min(policy.maxDelay, delay);
}

export async function runWithRetries(
  attempt: (attemptNumber: number) => unknown,
  policy: RunPolicy,
  clock: Clock,
): Promise<RunOutcome> {
  const maxAttempts = policy.retryOnError ? policy.retry.maxRetries + 1 : 1;
  for (let n = 1; ; n++) {
    try {
      await withTimeout(() => attempt(n), policy.timeoutMs, clock);
      return { ok: true, attempts: n };
    } catch (error) {
      if (n >= maxAttempts) return { ok: false, attempts: n, error };
      await sleep(clock, retryDelay(n, policy.retry));
    }
  }
}

function withTimeout(run: () => unknown, timeoutMs: number, clock: Clock): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(
      () =>
        reject(
          new EventBusError("HANDLER_TIMEOUT", `The handler did not finish within ${timeoutMs} ms.`, {
            details: { timeoutMs },
          }),
        ),
      timeoutMs,
    );
    const settle = (outcome: () => void) => {
      clock.clearTimeout(timer);
      outcome();
    };
    try {
      Promise.resolve(run()).then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error)),
      );
    } catch (error) {
      settle(() => reject(error));
    }
  });
}
