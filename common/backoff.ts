/**
 * Reconnect and retry delays: exponential, capped, then full jitter — one pure function for the
 * browser SDK's reconnect loop and the Redis brokers' reconnects.
 *
 * The jitter is applied AFTER the cap (socket.io-client's Manager applies it before, so from
 * about the fifth attempt every client waits exactly `maxDelay` and they retry in lockstep).
 * The exponent is clamped, so no attempt count overflows to a 0 ms delay.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay, ms. Default 500. */
  readonly minDelay: number;
  /** Largest delay, ms. Default 30 000. */
  readonly maxDelay: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ minDelay: 500, maxDelay: 30_000 });

/**
 * Delay before retry number `attempt` (0 for the first retry): a uniformly random value in
 * [0, min(maxDelay, minDelay × 2^attempt)). `random` returns values in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Number.isFinite(attempt) ? Math.min(Math.max(0, Math.floor(attempt)), 32) : 32;
  const ceiling = Math.min(options.maxDelay, options.minDelay * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}
