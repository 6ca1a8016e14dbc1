/**
 * The `$presence.join` / `$presence.leave` system messages a room channel carries (frames.ts,
 * SYSTEM_TYPES): relays publish them when sockets join and leave, and whoever lists a room and
 * finds a dead relay's expired entries announces their leave — a relay, or a backend's
 * getRoomMembers — so every relay's browsers drop those members.
 */
import { encodeEvent } from "./codec.js";
import { type PresenceEntry, SYSTEM_TYPES } from "./frames.js";

/** The message (JSON) announcing that a connection joined or left `room`. */
export function encodePresenceMessage(
  action: "join" | "leave",
  entry: PresenceEntry,
  room: string,
  source: string,
): string {
  const type = action === "join" ? SYSTEM_TYPES.presenceJoin : SYSTEM_TYPES.presenceLeave;
  const data: PresenceEntry = {
    connectionId: entry.connectionId,
    userId: entry.userId,
    ...(entry.info !== undefined && { info: entry.info }),
  };
  return encodeEvent({ type, data, source, room }, undefined, { allowSystem: true }).json;
}
