/**
 * Recovery replies are paced by the socket draining, not counted as slow consumption: before a page
 * of history is read for a socket (a `history` frame, or the first page in a join/hello answer),
 * the relay waits until the socket has room for it — its queued bytes at most
 * `maxBufferedBytes - maxPageBytes` — polling its buffers (they have no "below N" event) for up to
 * `drainTimeoutMs`. A reader that never drains is left to the slow-consumer checks; a slow link
 * gets pages one by one, as fast as it reads them. Pages also cost the socket's rate limit by the
 * bytes they return (`historyCostBytes` per frame), so history cannot be pulled faster than that.
 */
import { type Clock, sleep } from "../../../common/clock.js";
import type { HistoryResult, RecoveryResult } from "../../../protocol/frames.js";
import { utf8ByteLength } from "../../../protocol/limits.js";
import type { RelayLimits } from "../options.js";
import { engineBacklog } from "./engine-internals.js";

const POLL_MS = 20;

export interface Pacer {
  /** Resolves once `conn` has room for a page, or after the drain timeout. */
  room(conn: unknown): Promise<void>;
}

/** `queued`: bytes waiting on a connection (engine.io's by default; an SSE stream passes its own). */
export function createPacer(
  limits: RelayLimits,
  clock: Clock,
  queued: (conn: unknown) => number = queuedBytes,
): Pacer {
  const threshold = Math.max(0, limits.maxBufferedBytes - limits.maxPageBytes);
  return {
    async room(conn) {
      const deadline = clock.now() + limits.drainTimeoutMs;
      while (queued(conn) > threshold && clock.now() < deadline) await sleep(clock, POLL_MS);
    },
  };
}

function queuedBytes(conn: unknown): number {
  return engineBacklog(conn).bytes;
}

/** UTF-8 bytes of a page's messages. */
export function pageBytes(page: Pick<HistoryResult, "messages"> | RecoveryResult | undefined): number {
  let bytes = 0;
  for (const message of page?.messages ?? []) bytes += utf8ByteLength(message);
  return bytes;
}

/** Rate-limit frames a page of `bytes` costs beyond its own frame. */
export function pageCost(bytes: number, limits: Pick<RelayLimits, "historyCostBytes">): number {
  return Math.floor(bytes / limits.historyCostBytes);
}
