/**
 * Token lifetime on a live socket: the relay's sweep (sweep.ts) disconnects a socket with notice
 * TOKEN_EXPIRED once its token expired (after the clock tolerance), unless an `auth` frame brought a
 * fresh token for the same user first. The fresh token's claims apply to later joins and publishes.
 */
import { EventBusError } from "../../../protocol/errors.js";
import type { AuthResult } from "../../../protocol/frames.js";
import { isRevoked, revokedBefore } from "../../auth/revocation.js";
import type { RelayContext, RelaySocket } from "../types.js";
import { parseAuth } from "./validate-frames.js";

/** Whether the session's token expired (after the clock tolerance) at `now`. */
export function tokenExpired(ctx: RelayContext, socket: RelaySocket, now: number): boolean {
  const expiresAt = socket.data.session.token.expiresAt;
  return expiresAt !== null && now >= expiresAt + (ctx.options.auth.clockToleranceSec ?? 5) * 1000;
}

export async function refreshToken(
  ctx: RelayContext,
  socket: RelaySocket,
  request: unknown,
): Promise<AuthResult> {
  const { token } = parseAuth(request);
  const session = socket.data.session;
  try {
    const verified = await ctx.verify(token);
    if (verified.userId !== session.userId) {
      throw new EventBusError(
        "TOKEN_INVALID",
        "The new token is for another user; reconnect to switch users.",
      );
    }
    const before = await revokedBefore(ctx.broker, ctx.names.user(verified.userId));
    if (isRevoked(verified.issuedAt, before)) throw new EventBusError("TOKEN_REVOKED");
    session.refresh(verified);
    return { expiresAt: verified.expiresAt };
  } catch (error) {
    if (error instanceof EventBusError) ctx.metrics.authFailures.inc({ code: error.code });
    throw error;
  }
}
