/**
 * Token lifetime on a live socket: a timer disconnects the socket with notice TOKEN_EXPIRED when its
 * token expires (after the clock tolerance), unless an `auth` frame brought a fresh token for the
 * same user first. The fresh token's claims apply to later joins and publishes.
 */
import { EventBusError } from "../../protocol/errors.js";
import type { AuthResult } from "../../protocol/frames.js";
import { kick } from "./kick.js";
import { isRevoked, revokedBefore } from "./revocation.js";
import type { RelayContext, RelaySocket } from "./types.js";
import { parseAuth } from "./validate.js";

const MAX_TIMER_MS = 2 ** 31 - 1;

export function scheduleExpiry(ctx: RelayContext, socket: RelaySocket): void {
  const session = socket.data.session;
  clearExpiry(socket);
  const expiresAt = session.token.expiresAt;
  if (expiresAt === null || session.closed) return;
  const deadline = expiresAt + (ctx.options.auth.clockToleranceSec ?? 5) * 1000;
  const delay = deadline - Date.now();
  session.expiryTimer = setTimeout(
    () => {
      session.expiryTimer = undefined;
      if (Date.now() >= deadline)
        kick(ctx, socket, "TOKEN_EXPIRED", "The token expired and was not refreshed.");
      else scheduleExpiry(ctx, socket);
    },
    Math.min(Math.max(delay, 0), MAX_TIMER_MS),
  );
  session.expiryTimer.unref();
}

export function clearExpiry(socket: RelaySocket): void {
  const session = socket.data.session;
  if (session.expiryTimer) clearTimeout(session.expiryTimer);
  session.expiryTimer = undefined;
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
    scheduleExpiry(ctx, socket);
    return { expiresAt: verified.expiresAt };
  } catch (error) {
    if (error instanceof EventBusError) ctx.metrics.authFailures.inc({ code: error.code });
    throw error;
  }
}
