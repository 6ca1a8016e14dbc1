/**
 * Rewind on join (protocol/rewind.ts): where a room's replay starts for `{ count }` or `{ ms }`,
 * read from the history the broker already keeps. The join then recovers from that position as a
 * returning client would (recovery.ts), so the replay and the live stream meet exactly once, in order.
 *
 * - `{ count: n }`: the position n events before the newest. When the history no longer holds it
 *   (trimmed by count or bytes, or expired), the oldest position it still holds, found by a binary
 *   search of one-entry reads (≈ log2(n) reads, only then), and `truncated: true`.
 * - `{ ms }`: scans forward from up to MAX_TIME_SCAN events back to the first event whose
 *   `metadata.timestamp` is within the window. `truncated` when the oldest event looked at is already
 *   inside the window and older ones existed (trimmed, or beyond the scan).
 */
import type { Clock } from "../../../common/clock.js";
import type { StreamPosition } from "../../../protocol/position.js";
import { MAX_REWIND_COUNT, type RewindRequest } from "../../../protocol/rewind.js";
import type { Broker } from "../../brokers/broker.js";

/** How far back a time rewind looks, in events. */
export const MAX_TIME_SCAN = MAX_REWIND_COUNT;

export interface RewindStart {
  readonly from: StreamPosition;
  readonly truncated: boolean;
}

type HistoryReader = Pick<Broker, "position" | "readHistory">;

export async function rewindStart(
  broker: HistoryReader,
  channel: string,
  request: RewindRequest,
  clock: Pick<Clock, "now">,
  pageSize: number,
): Promise<RewindStart> {
  const newest = await broker.position(channel);
  const back = "count" in request ? request.count : MAX_TIME_SCAN;
  const wanted = { offset: Math.max(0, newest.offset - back), epoch: newest.epoch };
  const held = (await holds(broker, channel, wanted))
    ? wanted
    : await oldestHeld(broker, channel, wanted, newest);
  if ("count" in request) return { from: held, truncated: held.offset > wanted.offset };
  return withinWindow(broker, channel, held, clock.now() - request.ms, pageSize);
}

async function holds(broker: HistoryReader, channel: string, since: StreamPosition): Promise<boolean> {
  return (await broker.readHistory(channel, since, 1, 1)).recovered;
}

/** The smallest offset after `missing` (not held) up to `newest` (always held) that is still held. */
async function oldestHeld(
  broker: HistoryReader,
  channel: string,
  missing: StreamPosition,
  newest: StreamPosition,
): Promise<StreamPosition> {
  let lo = missing.offset;
  let hi = newest.offset;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await holds(broker, channel, { offset: mid, epoch: newest.epoch })) hi = mid;
    else lo = mid;
  }
  return { offset: hi, epoch: newest.epoch };
}

async function withinWindow(
  broker: HistoryReader,
  channel: string,
  start: StreamPosition,
  cutoff: number,
  pageSize: number,
): Promise<RewindStart> {
  let since = start;
  let first = true;
  for (let pages = 0; pages * pageSize <= MAX_TIME_SCAN; pages++) {
    const page = await broker.readHistory(channel, since, pageSize);
    if (!page.recovered) return { from: page.position, truncated: true };
    for (const raw of page.messages) {
      const { offset, at } = stamp(raw);
      if (offset === undefined) continue;
      if (at !== undefined && at >= cutoff) {
        return { from: { offset: offset - 1, epoch: start.epoch }, truncated: first && start.offset > 0 };
      }
      first = false;
      since = { offset, epoch: start.epoch };
    }
    if (!page.more) return { from: page.position, truncated: false };
  }
  return { from: since, truncated: false };
}

function stamp(raw: string): { offset: number | undefined; at: number | undefined } {
  try {
    const message = JSON.parse(raw) as { offset?: unknown; metadata?: { timestamp?: unknown } };
    const offset = typeof message.offset === "number" ? message.offset : undefined;
    const time = message.metadata?.timestamp;
    return { offset, at: typeof time === "string" ? Date.parse(time) : undefined };
  } catch {
    return { offset: undefined, at: undefined };
  }
}
