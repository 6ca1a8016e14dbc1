/**
 * A socket's life on the relay after its handshake: frame handlers, the user channel held for control
 * messages (revocation), the periodic check (slow consumer, token expiry), and the cleanup on
 * disconnect — every bridge hold released, presence entries removed — so nothing outlives the socket.
 */

import { isRevoked, revokedBefore } from "../../auth/revocation.js";
import { history } from "../delivery/history.js";
import { slowBacklog } from "../delivery/slow-consumer.js";
import { errorFields } from "../operations/logger.js";
import { publish } from "../rooms/publish.js";
import { join, leave, presence } from "../rooms/room-frames.js";
import type { RelayContext, RelaySocket } from "../types.js";
import { type FrameHandlers, installFrameGate } from "./frame-gate.js";
import { hello } from "./hello.js";
import { kick } from "./kick.js";
import { refreshToken, tokenExpired } from "./token-refresh.js";

const HANDLERS: FrameHandlers = {
  hello,
  join,
  leave,
  publish,
  history,
  presence,
  auth: refreshToken,
};

export function onConnection(ctx: RelayContext, socket: RelaySocket): void {
  const session = socket.data.session;
  session.onConnected?.();
  session.onConnected = undefined;
  ctx.logger.debug({ connectionId: socket.id, userId: session.userId }, "socket connected");
  installFrameGate(ctx, socket, HANDLERS);
  socket.once("disconnect", (reason) => onDisconnect(ctx, socket, reason));
  ctx.sweep.update(ctx.io.sockets.sockets.size);
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

/** The sweep's per-socket check: slow consumers first (their buffers are dropped), then expired tokens. */
export function checkSocket(ctx: RelayContext, socket: RelaySocket, now: number): void {
  const backlog = slowBacklog(socket, ctx.limits);
  if (backlog) {
    ctx.metrics.slowConsumers.inc();
    ctx.logger.warn({ connectionId: socket.id, ...backlog }, "slow consumer");
    kick(ctx, socket, "SLOW_CONSUMER", undefined, { discard: true });
  } else if (tokenExpired(ctx, socket, now)) {
    kick(ctx, socket, "TOKEN_EXPIRED", "The token expired and was not refreshed.");
  }
}

function onDisconnect(ctx: RelayContext, socket: RelaySocket, reason: string): void {
  const session = socket.data.session;
  session.closed = true;
  ctx.users.remove(session.userId, socket);
  ctx.sweep.update(ctx.io.sockets.sockets.size);
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
