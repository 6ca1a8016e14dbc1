/**
 * Reconnect delays: capped exponential backoff with full jitter (a uniformly random delay between
 * 0 and min(maxMs, baseMs · 2^attempt)), so that many processes losing Redis at once do not all
 * come back in the same millisecond. Pure: the random source is a parameter.
 */
export interface BackoffOptions {
  /** Upper bound of the first delay, in ms. Default 50. */
  readonly baseMs: number;
  /** Cap of every delay, in ms. Default 2000. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 50, maxMs: 2000 });

/** The delay before reconnect attempt `attempt` (1 for the first retry). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
