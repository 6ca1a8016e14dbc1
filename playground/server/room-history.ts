/**
 * A room's recent events, read from the history the relay already keeps for recovery: the room
 * channel's capped stream (`{room:photo:…}:history` on Redis, the same in the memory broker). The
 * playground shows a room's recent comments on join from this, so comments written before you
 * joined, or before a reload, are still there — within the history's retention (start.ts sets it).
 *
 * Why here and not in the browser: the SDK does not yet let an app read a room's history; a
 * planned `bus.room(name, { rewind: N })` will replay the last N events on join, and then the
 * playground's GET /api/rooms/:room/recent (and this module) can go.
 */
// Relative imports of the package's entry points (as demo-auth.ts does), so tests load it without a build.
import {
  type ChannelNames,
  decodeMessage,
  type EventEnvelope,
  type StreamPosition,
} from "../../protocol/index.js";
import type { Broker } from "../../relay/backend/index.js";

/** An event from history, shaped like what the SDK delivers (envelope, channel, offset). */
export type HistoryEvent = EventEnvelope & { readonly channel: string; readonly offset: number };

export interface RecentRoomEvents {
  /** Oldest first; at most `limit`. Empty when the room's history expired. */
  readonly events: readonly HistoryEvent[];
  /** The room channel's newest position when read. */
  readonly position: StreamPosition;
}

export type ReadRecentRoomEvents = (room: string, limit: number) => Promise<RecentRoomEvents>;

/** Most history pages read for one answer (pages may be cut short by bytes, not only by count). */
const MAX_PAGES = 10;

export function roomHistoryReader(broker: Broker, names: ChannelNames): ReadRecentRoomEvents {
  return async (room, limit) => {
    const channel = names.room(room);
    const newest = await broker.position(channel);
    let since = { offset: Math.max(0, newest.offset - limit), epoch: newest.epoch };
    const events: HistoryEvent[] = [];
    let position = newest;
    for (let page = 0; page < MAX_PAGES && events.length < limit; page++) {
      const read = await broker.readHistory(channel, since, limit - events.length);
      position = read.position;
      for (const raw of read.messages) {
        const decoded = decodeSafely(raw);
        if (decoded && decoded.offset > (events.at(-1)?.offset ?? -1))
          events.push({ ...decoded.envelope, channel, offset: decoded.offset });
      }
      const last = events.at(-1);
      if (!read.more || !last) break;
      since = { offset: last.offset, epoch: since.epoch };
    }
    return { events, position };
  };
}

function decodeSafely(raw: string): { envelope: EventEnvelope; offset: number } | null {
  try {
    const { envelope, position } = decodeMessage(raw);
    return position ? { envelope, offset: position.offset } : null;
  } catch {
    return null; // not ours to judge here; the relay reports malformed messages
  }
}
