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

/** Compiled globs, shared by every token that lists the same glob (bounded). */
const compiled = new Map<string, GlobMatcher>();
const MAX_COMPILED = 10_000;

function matcher(glob: string): GlobMatcher {
  let match = compiled.get(glob);
  if (!match) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    match = compileGlob(glob);
    compiled.set(glob, match);
  }
  return match;
}

/** Whether the claims alone allow the action on the room. */
export function claimsAllow(claims: EventBusClaims, action: RoomAction, room: string): boolean {
  const globs = action === "join" ? claims.rooms : claims.publish;
  return globs?.some((glob) => matcher(glob)(room)) ?? false;
}

/** The claims' decision, then the hook's (when there is one). */
export async function isAllowed(
  user: AuthorizeUser,
  hook: AuthorizeHook | undefined,
  action: RoomAction,
  room: string,
): Promise<boolean> {
  const allowed = claimsAllow(user.claims, action, room);
  if (!hook) return allowed;
  return (await hook(user, action, room, allowed)) === true;
}
