/**
 * A room's comments as the page shows them: the room's recent history (read once the room is
 * joined, so it survives a reload and shows what was said before you came) followed by the live
 * events, each comment once (by event id).
 *
 * Everything about "recent events on join" lives in this file. The SDK has no way yet for an app to
 * read a room's history, so the page asks the demo backend (GET /api/rooms/:room/recent, which
 * reads the relay's own history of the room channel). When the SDK gains
 * `bus.room(name, { rewind: 50 })`, `useRecentRoomEvents` goes: useRoom(…, { rewind: 50 }) then
 * delivers the same events itself and `roomComments(live)` is all that remains.
 */
import { useEffect, useRef, useState } from "react";
import { api } from "./api.js";

/** How many of the room's latest events are read on join. */
export const RECENT_EVENTS = 50;

/** What the page needs of an event (live ones from useRoom and recent ones from history alike). */
export interface RoomEventLike {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
}

export interface Comment {
  readonly id: string;
  readonly author: string;
  readonly text: string;
}

export type RecentState = "loading" | "loaded" | "failed";

/**
 * The room's recent events, read once per mount after the room is first joined: the read then
 * happens after the relay fixed where live delivery starts, so every event is in the history
 * read, in the live events, or in both (de-duplicated by `roomComments`) — none falls between.
 */
export function useRecentRoomEvents(
  room: string,
  joined: boolean,
  getToken: () => string,
): { readonly events: readonly RoomEventLike[]; readonly state: RecentState } {
  const [loaded, setLoaded] = useState<readonly RoomEventLike[] | null>(null);
  const [failed, setFailed] = useState(false);
  const token = useRef(getToken);
  useEffect(() => {
    token.current = getToken;
  });
  useEffect(() => {
    if (!joined || loaded !== null) return;
    let active = true;
    api.recentInRoom(token.current(), room, RECENT_EVENTS).then(
      (events) => active && setLoaded(events),
      () => active && setFailed(true),
    );
    return () => {
      active = false;
    };
  }, [room, joined, loaded]);
  return { events: loaded ?? [], state: loaded ? "loaded" : failed ? "failed" : "loading" };
}

/** Recent (oldest first) then live comments, each id once; events that are not comments are skipped. */
export function roomComments(recent: readonly RoomEventLike[], live: readonly RoomEventLike[]): Comment[] {
  const seen = new Set<string>();
  const comments: Comment[] = [];
  for (const event of [...recent, ...live]) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const comment = asComment(event);
    if (comment) comments.push(comment);
  }
  return comments;
}

function asComment(event: RoomEventLike): Comment | null {
  if (event.type !== "comment.added" || typeof event.data !== "object" || event.data === null) return null;
  const { author, text } = event.data as { author?: unknown; text?: unknown };
  if (typeof author !== "string" || typeof text !== "string") return null;
  return { id: event.id, author, text };
}
