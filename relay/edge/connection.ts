/**
 * A socket's life on the relay after its handshake: frame handlers, the token-expiry timer, the
 * user channel held for control messages (revocation), and the cleanup on disconnect — every bridge
 * hold released, presence entries removed, timers cleared — so nothing outlives the socket.
 */
import { installFrameGate, onFrame } from "./frame-gate.js";
import { hello } from "./hello.js";
import { history } from "./history.js";
import { kick } from "./kick.js";
import { errorFields } from "./logger.js";
import { publish } from "./publish.js";
import { isRevoked, revokedBefore } from "./revocation.js";
import { join, leave, presence } from "./rooms.js";
import { clearExpiry, refreshToken, scheduleExpiry } from "./token-refresh.js";
import type { RelayContext, RelaySocket } from "./types.js";

export function onConnection(ctx: RelayContext, socket: RelaySocket): void {
  const session = socket.data.session;
  ctx.logger.debug({ connectionId: socket.id, userId: session.userId }, "socket connected");
  installFrameGate(ctx, socket);
  onFrame(ctx, socket, "hello", (request) => hello(ctx, socket, request));
  onFrame(ctx, socket, "join", (request) => join(ctx, socket, request));
  onFrame(ctx, socket, "leave", (request) => leave(ctx, socket, request));
  onFrame(ctx, socket, "publish", (request) => publish(ctx, socket, request));
  onFrame(ctx, socket, "history", (request) => history(ctx, socket, request));
  onFrame(ctx, socket, "presence", (request) => presence(ctx, socket, request));
  onFrame(ctx, socket, "auth", (request) => refreshToken(ctx, socket, request));
  socket.once("disconnect", (reason) => onDisconnect(ctx, socket, reason));
  scheduleExpiry(ctx, socket);
  ctx.guard.update(ctx.io.sockets.sockets.size);
  ctx.tasks.track(holdUserChannel(ctx, socket), (error) =>
    ctx.logger.warn(
      { connectionId: socket.id, ...errorFields(error) },
      "could not subscribe the user channel",
    ),
  );
}

/**
 * Revocations travel on the user channel, so the relay holds it from the start (even before
 * `hello`), then checks the revocation time once more: a revocation published between the handshake
 * check and the subscription cannot be missed.
 */
async function holdUserChannel(ctx: RelayContext, socket: RelaySocket): Promise<void> {
  const session = socket.data.session;
  const channel = ctx.names.user(session.userId);
  await ctx.bridge.acquire(channel);
  if (session.closed) {
    ctx.bridge.release(channel);
    return;
  }
  session.holdsUserChannel = true;
  const before = await revokedBefore(ctx.broker, channel);
  if (isRevoked(session.token.issuedAt, before)) kick(ctx, socket, "TOKEN_REVOKED");
}

function onDisconnect(ctx: RelayContext, socket: RelaySocket, reason: string): void {
  const session = socket.data.session;
  session.closed = true;
  clearExpiry(socket);
  ctx.users.remove(session.userId, socket);
  ctx.guard.update(ctx.io.sockets.sockets.size);
  if (session.holdsUserChannel) ctx.bridge.release(ctx.names.user(session.userId));
  for (const channel of session.ownChannels ?? []) ctx.bridge.release(channel);
  for (const [room, joined] of session.rooms) {
    if (joined.state !== "joined") continue;
    ctx.bridge.release(joined.channel);
    if (joined.presence) {
      ctx.tasks.track(ctx.presence.remove(joined.channel, room, socket.id), (error) =>
        ctx.logger.warn({ room, ...errorFields(error) }, "could not remove a presence entry"),
      );
    }
  }
  ctx.logger.debug({ connectionId: socket.id, userId: session.userId, reason }, "socket disconnected");
}
