/**
 * A room's members, aggregated per user: the relay reports connections (one per socket, each
 * with its user id); a user with two tabs open is one member with `connections: 2`.
 */
import type { PresenceEntry, PresenceEvent } from "../protocol/frames.js";

export interface Member {
  readonly userId: string;
  /** How many connections (tabs, devices) of this user are in the room. */
  readonly connections: number;
  /** Public profile from the token's `info` claim, if any. */
  readonly info?: Readonly<Record<string, unknown>>;
}

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
    const byUser = new Map<string, Member>();
    for (const { userId, info } of this.connections.values()) {
      const previous = byUser.get(userId);
      const connections = (previous?.connections ?? 0) + 1;
      const merged = info ?? previous?.info;
      byUser.set(userId, merged ? { userId, connections, info: merged } : { userId, connections });
    }
    const next = [...byUser.values()];
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
