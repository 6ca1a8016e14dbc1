/**
 * A room's members as people see them: presence tracks connections (one per socket, each with its
 * user id), and a user with two tabs open is one member with `connections: 2`. The browser SDK
 * (client/presence.ts) and the backend's getRoomMembers aggregate with this one function, so both
 * see the same members.
 */

export interface Member {
  readonly userId: string;
  /** How many connections (tabs, devices) of this user are in the room. */
  readonly connections: number;
  /** Public profile from the token's `info` claim, if any. */
  readonly info?: Readonly<Record<string, unknown>>;
}

/** What presence knows of one connection. */
export interface ConnectionPresence {
  readonly userId: string;
  readonly info?: Readonly<Record<string, unknown>> | undefined;
}

/** One member per user, in the order of each user's first connection; the first `info` given wins. */
export function membersByUser(connections: Iterable<ConnectionPresence>): Member[] {
  const byUser = new Map<string, Member>();
  for (const { userId, info } of connections) {
    const previous = byUser.get(userId);
    const count = (previous?.connections ?? 0) + 1;
    const merged = info ?? previous?.info;
    byUser.set(
      userId,
      merged ? { userId, connections: count, info: merged } : { userId, connections: count },
    );
  }
  return [...byUser.values()];
}
