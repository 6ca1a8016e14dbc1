/**
 * Who may join and publish to which room. The token's `rooms` and `publish` claims are lists of
 * room-name globs (Redis glob semantics, protocol/glob.ts), compiled once per token. An optional
 * hook can allow more, or refuse what the claims allow; no HTTP round trip per room.
 */
import type { EventBusClaims } from "../../protocol/claims.js";
import { compileGlob, type GlobMatcher } from "../../protocol/glob.js";

export type RoomAction = "join" | "publish";

export interface AuthorizeUser {
  readonly userId: string;
  readonly claims: EventBusClaims;
}

/**
 * Called for every join and publish after the claims were checked: `allowedByClaims` says what the
 * claims decided. Return true to allow, false to refuse (the socket gets FORBIDDEN). May be async.
 */
export type AuthorizeHook = (
  user: AuthorizeUser,
  action: RoomAction,
  room: string,
  allowedByClaims: boolean,
) => boolean | Promise<boolean>;

export interface RoomAccess {
  allows(action: RoomAction, room: string): Promise<boolean>;
}

const cache = new WeakMap<readonly string[], readonly GlobMatcher[]>();

function matchers(globs: readonly string[] | undefined): readonly GlobMatcher[] {
  if (!globs || globs.length === 0) return [];
  let compiled = cache.get(globs);
  if (!compiled) {
    compiled = globs.map(compileGlob);
    cache.set(globs, compiled);
  }
  return compiled;
}

/** Whether the claims alone allow the action on the room. */
export function claimsAllow(claims: EventBusClaims, action: RoomAction, room: string): boolean {
  const globs = action === "join" ? claims.rooms : claims.publish;
  return matchers(globs).some((match) => match(room));
}

export function roomAccess(user: AuthorizeUser, hook: AuthorizeHook | undefined): RoomAccess {
  return {
    async allows(action, room) {
      const allowed = claimsAllow(user.claims, action, room);
      if (!hook) return allowed;
      return (await hook(user, action, room, allowed)) === true;
    },
  };
}
