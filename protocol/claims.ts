/**
 * The JWT claims the relay understands. Any issuer (your auth service, `event-bus token`) mints
 * tokens with these claims, signed with a key the relay is configured to trust.
 */
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
