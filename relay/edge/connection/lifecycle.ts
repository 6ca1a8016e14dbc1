/**
 * The connection layer (this folder): handshake and session, the frame gate (rate limit, dispatch,
 * validation), `hello`, token refresh and expiry, the periodic sweep, and disconnecting with a
 * reason. This file is a socket's life on the relay after its handshake: the frame gate installed,
 * the user channel held for control messages (revocation), the periodic check (slow consumer, token
 * expiry), and the cleanup on disconnect — every bridge hold released, presence entries removed —
 * so nothing outlives the socket.
 */
import type { ChannelNames } from "../../../protocol/channels.js";
import { isRevoked } from "../../auth/revocation.js";
import { releaseHandshake } from "../delivery/engine-internals.js";
import { slowBacklog } from "../delivery/slow-consumer.js";
import { errorFields, type RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { TaskSet } from "../operations/tasks.js";
import type { RelayLimits } from "../options.js";
import type { ChannelHolds } from "../rooms/bridge.js";
import type { PresenceTracker } from "../rooms/presence.js";
import type { RelaySocket } from "../types.js";
import { type FrameGateDeps, installFrameGate } from "./frame-gate.js";
import { connectedFromHandshake } from "./handshake.js";
import type { Kick } from "./kick.js";
import type { ConnectionIndex } from "./limits.js";
import type { SocketSweep } from "./sweep.js";
import { tokenExpired } from "./token-refresh.js";

export interface LifecycleDeps {
  readonly gate: FrameGateDeps;
  readonly names: ChannelNames;
  readonly channels: ChannelHolds;
  readonly presence: Pick<PresenceTracker, "remove">;
  readonly users: ConnectionIndex<RelaySocket>;
  readonly sweep: Pick<SocketSweep, "update">;
  readonly connected: () => number;
  readonly tasks: TaskSet;
  readonly revokedBefore: (userId: string) => Promise<number | null>;
  readonly kick: Kick;
  readonly logger: RelayLogger;
}

/**
 * The `connection` handler of one relay. Per-socket listeners are shared functions (the socket is
 * their `this`), so a socket costs no closure for them.
 */
export function connectionHandler(deps: LifecycleDeps): (socket: RelaySocket) => void {
  const disconnected = function (this: RelaySocket, reason: string): void {
    onDisconnect(deps, this, reason);
  };
  return (socket) => onConnection(deps, socket, disconnected);
}

function onConnection(
  deps: LifecycleDeps,
  socket: RelaySocket,
  disconnected: (this: RelaySocket, reason: string) => void,
): void {
  const session = socket.data.session;
  connectedFromHandshake(socket.conn);
  releaseHandshake(socket);
  deps.logger.debug({ connectionId: socket.id, userId: session.userId }, "socket connected");
  installFrameGate(deps.gate, socket);
  // `disconnect` fires once per socket; `on` rather than `once` saves the once-wrapper.
  socket.on("disconnect", disconnected);
  deps.sweep.update(deps.connected());
  deps.tasks.track(holdUserChannel(deps, socket), (error) =>
    deps.logger.warn(
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
async function holdUserChannel(deps: LifecycleDeps, socket: RelaySocket): Promise<void> {
  const session = socket.data.session;
  const channel = deps.names.user(session.userId);
  await deps.channels.acquire(channel);
  if (session.closed) {
    deps.channels.release(channel);
    return;
  }
  session.holdsUserChannel = true;
  if (isRevoked(session.token.issuedAt, await deps.revokedBefore(session.userId))) {
    deps.kick(socket, "TOKEN_REVOKED");
  }
}

export interface SocketCheckDeps {
  readonly limits: RelayLimits;
  readonly tokenToleranceMs: number;
  readonly metrics: Pick<RelayMetrics, "slowConsumers">;
  readonly logger: RelayLogger;
  readonly kick: Kick;
}

/** The sweep's per-socket check: slow consumers first (their buffers are dropped), then expired tokens. */
export function createSocketCheck(deps: SocketCheckDeps) {
  return (socket: RelaySocket, now: number): void => {
    const backlog = slowBacklog(socket.conn, deps.limits);
    if (backlog) {
      deps.metrics.slowConsumers.inc();
      deps.logger.warn({ connectionId: socket.id, ...backlog }, "slow consumer");
      deps.kick(socket, "SLOW_CONSUMER", undefined, { discard: true });
    } else if (tokenExpired(socket.data.session, now, deps.tokenToleranceMs)) {
      deps.kick(socket, "TOKEN_EXPIRED", "The token expired and was not refreshed.");
    }
  };
}

function onDisconnect(deps: LifecycleDeps, socket: RelaySocket, reason: string): void {
  const session = socket.data.session;
  session.closed = true;
  deps.users.remove(session.userId, socket);
  deps.sweep.update(deps.connected());
  if (session.holdsUserChannel) deps.channels.release(deps.names.user(session.userId));
  for (const channel of session.ownChannels ?? []) deps.channels.release(channel);
  for (const [room, joined] of session.rooms) {
    if (joined.state !== "joined") continue;
    deps.channels.release(joined.channel);
    if (joined.presence) {
      deps.tasks.track(deps.presence.remove(joined.channel, room, socket.id), (error) =>
        deps.logger.warn({ room, ...errorFields(error) }, "could not remove a presence entry"),
      );
    }
  }
  deps.logger.debug({ connectionId: socket.id, userId: session.userId, reason }, "socket disconnected");
}
