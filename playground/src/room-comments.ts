/**
 * A room's comments as the page shows them, each comment once (by event id). The room's recent
 * events come from the SDK itself: `useRoom(name, { rewind: RECENT_EVENTS })` replays them from the
 * relay's history before live ones (so they survive a reload and show what was said before you
 * came). The demo backend's GET /api/rooms/:room/recent still reads the same history for other
 * clients; the page no longer needs it.
 */

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
