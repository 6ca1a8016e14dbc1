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

export function roomHistoryReader(broker: Broker, names: ChannelNames): ReadRecentRoomEvents {
  return async (room, limit) => {
    const channel = names.room(room);
    const position = await broker.position(channel);
    const since = { offset: Math.max(0, position.offset - limit), epoch: position.epoch };
    const page = await broker.readHistory(channel, since, limit);
    const events: HistoryEvent[] = [];
    for (const raw of page.messages) {
      const decoded = decodeSafely(raw);
      if (decoded) events.push({ ...decoded.envelope, channel, offset: decoded.offset });
    }
    return { events, position: page.position };
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
