/**
 * Token lifetime on a live socket: the relay's sweep (sweep.ts) disconnects a socket with notice
 * TOKEN_EXPIRED once its token expired (after the clock tolerance), unless an `auth` frame brought a
 * fresh token for the same user first. The fresh token's claims take effect at once (permissions.ts).
 */
import { EventBusError } from "../../../protocol/errors.js";
import type { AuthResult } from "../../../protocol/frames.js";
import { isRevoked } from "../../auth/revocation.js";
import type { TokenVerifier } from "../../auth/verify-token.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { MemberSocket } from "../types.js";
import { applyClaims, type PermissionDeps } from "./permissions.js";
import type { Session } from "./session.js";
import { parseAuth } from "./validate-frames.js";

/** Whether the session's token expired at `now`, after `toleranceMs`. */
export function tokenExpired(session: Session, now: number, toleranceMs: number): boolean {
  const expiresAt = session.token.expiresAt;
  return expiresAt !== null && now >= expiresAt + toleranceMs;
}

export interface TokenRefreshDeps extends PermissionDeps {
  readonly verify: TokenVerifier;
  /** The user's revoked-before time (epoch ms), or null. */
  readonly revokedBefore: (userId: string) => Promise<number | null>;
  readonly metrics: Pick<RelayMetrics, "authFailures">;
}

export function tokenRefreshHandler(deps: TokenRefreshDeps) {
  return async (socket: MemberSocket, request: unknown): Promise<AuthResult> => {
    const { token } = parseAuth(request);
    const session = socket.data.session;
    try {
      const verified = await deps.verify(token);
      if (verified.userId !== session.userId) {
        throw new EventBusError(
          "TOKEN_INVALID",
          "The new token is for another user; reconnect to switch users.",
        );
      }
      if (isRevoked(verified.issuedAt, await deps.revokedBefore(verified.userId))) {
        throw new EventBusError("TOKEN_REVOKED");
      }
      session.refresh(verified);
      return { expiresAt: verified.expiresAt, ...(await applyClaims(deps, socket)) };
    } catch (error) {
      if (error instanceof EventBusError) deps.metrics.authFailures.inc({ code: error.code });
      throw error;
    }
  };
}
