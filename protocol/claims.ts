/**
 * The JWT claims the relay understands. Any issuer (your auth service, `event-bus token`) mints
 * tokens with these claims, signed with a key the relay is configured to trust. `claimProblem` is
 * the one check of their shape: the relay applies it to every token, `createToken` before signing.
 */
import { MAX_PATTERN_LENGTH, utf8ByteLength } from "./limits.js";
import { isRoleName, isUserId } from "./names.js";

export interface EventBusClaims {
  /** The user id; the socket receives `user:{sub}`. Required. */
  readonly sub: string;
  /** Room-name globs the user may join, e.g. ["photo:*", "team:42"]. */
  readonly rooms?: readonly string[];
  /** Room-name globs the user may publish to. */
  readonly publish?: readonly string[];
  /** Roles; the socket receives `role:{r}` for each. */
  readonly roles?: readonly string[];
  /** Public profile shown to other room members through presence (keep it small). */
  readonly info?: Readonly<Record<string, unknown>>;
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly iss?: string;
  readonly aud?: string | readonly string[];
}

/** What the relay accepts in the claims it reads; a token beyond these is refused (TOKEN_INVALID). */
export const CLAIM_LIMITS = Object.freeze({
  /** Entries of `rooms` and of `publish`. */
  globs: 100,
  /** Characters of one glob. */
  globLength: MAX_PATTERN_LENGTH,
  roles: 32,
  /** UTF-8 bytes of `info` as JSON. */
  infoBytes: 1024,
});

export interface ClaimProblem {
  /** The claim at fault: sub, rooms, publish, roles or info. */
  readonly claim: keyof EventBusClaims;
  /** What is wrong with it, as the end of a sentence ("must be …"). */
  readonly problem: string;
}

/**
 * Why these claims are not what the relay accepts, or undefined when they are. The relay refuses
 * such tokens; token minting refuses to issue them. Signature, `exp`, `iss`, `aud` are not checked here.
 */
export function claimProblem(claims: Readonly<Record<string, unknown>>): ClaimProblem | undefined {
  if (!isUserId(claims.sub)) return { claim: "sub", problem: "is not a valid user id" };
  for (const claim of ["rooms", "publish"] as const) {
    const value = claims[claim];
    if (value !== undefined && !isGlobList(value)) {
      return { claim, problem: `must be a list of at most ${CLAIM_LIMITS.globs} room-name globs` };
    }
  }
  const roles = claims.roles;
  if (
    roles !== undefined &&
    (!Array.isArray(roles) || roles.length > CLAIM_LIMITS.roles || !roles.every(isRoleName))
  ) {
    return { claim: "roles", problem: `must be a list of at most ${CLAIM_LIMITS.roles} role names` };
  }
  const info = claims.info;
  if (info === undefined) return undefined;
  if (typeof info !== "object" || info === null || Array.isArray(info)) {
    return { claim: "info", problem: "must be an object" };
  }
  if (utf8ByteLength(JSON.stringify(info)) > CLAIM_LIMITS.infoBytes) {
    return { claim: "info", problem: `must be at most ${CLAIM_LIMITS.infoBytes} bytes of JSON` };
  }
  return undefined;
}

function isGlobList(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) &&
    value.length <= CLAIM_LIMITS.globs &&
    value.every((g) => typeof g === "string" && g.length > 0 && g.length <= CLAIM_LIMITS.globLength)
  );
}
