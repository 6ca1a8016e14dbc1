/**
 * Rewind on join: a room joined with `rewind` first receives its recent events (the last N, or
 * those of the last T), from the history the relay keeps, then live ones — exactly once, in order.
 * The SDK takes `50` or `"2m"`; the wire carries `{ count }` or `{ ms }` (JoinRequest.rewind).
 */
import { EventBusError } from "./errors.js";

export type RewindRequest = { readonly count: number } | { readonly ms: number };
/** What an app passes: a number of events, or a duration such as "30s", "2m", "1h". */
export type Rewind = number | `${number}${"s" | "m" | "h"}`;

/** The most events a rewind asks for; the relay's history caps (count, bytes, TTL) bound it further. */
export const MAX_REWIND_COUNT = 10_000;
/** The longest rewind duration (24 h); the history's TTL bounds it further. */
export const MAX_REWIND_MS = 24 * 60 * 60 * 1000;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d{1,9})(s|m|h)$/;

/** The wire form of an app's rewind option; throws INVALID_OPTIONS for anything else. */
export function toRewindRequest(rewind: unknown): RewindRequest {
  if (typeof rewind === "number") {
    if (Number.isSafeInteger(rewind) && rewind > 0 && rewind <= MAX_REWIND_COUNT) return { count: rewind };
  } else if (typeof rewind === "string") {
    const match = DURATION.exec(rewind);
    const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : 0;
    if (ms > 0 && ms <= MAX_REWIND_MS) return { ms };
  }
  throw new EventBusError(
    "INVALID_OPTIONS",
    `rewind ${JSON.stringify(rewind)} must be a count from 1 to ${MAX_REWIND_COUNT} or a duration like "30s", "2m", "1h" (at most 24h).`,
  );
}

/** Checks a rewind from the wire (relay side). */
export function isRewindRequest(value: unknown): value is RewindRequest {
  if (typeof value !== "object" || value === null) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const { count, ms } = value as Record<string, unknown>;
  if (count !== undefined)
    return Number.isSafeInteger(count) && (count as number) > 0 && (count as number) <= MAX_REWIND_COUNT;
  return Number.isSafeInteger(ms) && (ms as number) > 0 && (ms as number) <= MAX_REWIND_MS;
}
