/**
 * Where tokens come from: a fixed `token`, or `getToken()` called before every (re)connect and
 * again shortly before the token expires. Calls are single-flight: callers that ask while a call
 * is under way share its result. What getToken() throws is passed on as it is: the connection
 * retries a failed getToken() with backoff, unless it threw an EventBusError with an
 * authentication code (UNAUTHORIZED, TOKEN_REVOKED, …), which means "signed out".
 */
import { EventBusError } from "../protocol/errors.js";

export type GetToken = () => string | Promise<string>;

export interface TokenSource {
  /** Whether a new token can ever be obtained (false with a fixed `token`). */
  readonly refreshable: boolean;
  /** The current token: a fresh one from getToken(), or the fixed one. */
  get(): Promise<string>;
}

export function createTokenSource(token: string | undefined, getToken: GetToken | undefined): TokenSource {
  let inFlight: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    if (!getToken) return token ?? "";
    const value: unknown = await getToken();
    if (typeof value !== "string" || value.length === 0) {
      throw new EventBusError("TOKEN_MISSING", "getToken() did not return a non-empty string.");
    }
    return value;
  };
  return {
    refreshable: getToken !== undefined,
    get() {
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

/**
 * How long to wait before refreshing a token that expires at `expiresAt` (epoch ms): when 80 %
 * of its remaining life has passed, but at most 30 s before it expires.
 */
export function refreshDelay(expiresAt: number, now: number): number {
  const remaining = expiresAt - now;
  if (remaining <= 0) return 0;
  return Math.floor(remaining - Math.min(30_000, remaining * 0.2));
}
