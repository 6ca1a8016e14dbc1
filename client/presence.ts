/**
 * A room's members, aggregated per user (common/members.ts): the relay reports connections (one
 * per socket, each with its user id); a user with two tabs open is one member with `connections: 2`.
 */
import { type Member, membersByUser } from "../common/members.js";
import type { PresenceEntry, PresenceEvent } from "../protocol/frames.js";

export type { Member };

export class RoomPresence {
  private readonly connections = new Map<string, PresenceEntry>();
  private cached: readonly Member[] = [];

  /** Replaces every entry (a join answer). Returns whether the member list changed. */
  reset(entries: readonly PresenceEntry[]): boolean {
    this.connections.clear();
    for (const entry of entries) this.connections.set(entry.connectionId, entry);
    return this.rebuild();
  }

  /** Applies a join/leave event. Returns whether the member list changed. */
  apply(event: PresenceEvent): boolean {
    if (event.action === "join") this.connections.set(event.connectionId, event);
    else if (!this.connections.delete(event.connectionId)) return false;
    return this.rebuild();
  }

  /** The same array until the members change. */
  members(): readonly Member[] {
    return this.cached;
  }

  private rebuild(): boolean {
    const next = membersByUser(this.connections.values());
    if (sameMembers(next, this.cached)) return false;
    this.cached = next;
    return true;
  }
}

function sameMembers(a: readonly Member[], b: readonly Member[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (m, i) => m.userId === b[i]?.userId && m.connections === b[i]?.connections && m.info === b[i]?.info,
    )
  );
}
