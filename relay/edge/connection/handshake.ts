/**
 * The socket.io middleware that authenticates every (re)connection: the token from `auth.token` is
 * verified, checked against the user's revocation time and the per-user connection cap. A refusal
 * reaches the client as `connect_error` whose `data` is a WireError (`{ code, message }`).
 * There is no Connection State Recovery, so no socket ever skips this.
 */
import type { ExtendedError } from "socket.io";
import { isPlainRecord } from "../../../protocol/codec.js";
import { EventBusError, toEventBusError } from "../../../protocol/errors.js";
import { PROTOCOL_VERSION } from "../../../protocol/frames.js";
import { isRevoked, revokedBefore } from "../../auth/revocation.js";
import type { RelayContext, RelaySocket } from "../types.js";
import { Session } from "./session.js";

export function handshakeMiddleware(ctx: RelayContext) {
  return (socket: RelaySocket, next: (error?: ExtendedError) => void): void => {
    authenticate(ctx, socket).then(
      (session) => {
        socket.data.session = session;
        next();
      },
      (error: unknown) => {
        const refusal = toEventBusError(error, "TOKEN_INVALID");
        if (refusal.code === "INTERNAL") ctx.logger.error({ err: error }, "handshake failed");
        ctx.metrics.authFailures.inc({ code: refusal.code });
        ctx.logger.info(
          { code: refusal.code, remoteAddress: socket.handshake.address },
          "refused a connection",
        );
        next(Object.assign(new Error(refusal.message), { data: refusal.toWire() }));
      },
    );
  };
}

async function authenticate(ctx: RelayContext, socket: RelaySocket): Promise<Session> {
  if (ctx.state.shuttingDown) throw new EventBusError("SERVER_SHUTDOWN");
  const auth: unknown = socket.handshake.auth;
  const token = isPlainRecord(auth) ? auth.token : undefined;
  if (typeof token !== "string" || token.length === 0) throw new EventBusError("TOKEN_MISSING");
  const version = isPlainRecord(auth) ? auth.v : undefined;
  if (version !== undefined && version !== PROTOCOL_VERSION) {
    throw new EventBusError(
      "INVALID_FRAME",
      `Protocol version ${String(version)} is not supported; this relay speaks version ${PROTOCOL_VERSION}.`,
    );
  }
  const verified = await ctx.verify(token);
  delete (auth as Record<string, unknown>).token; // not kept in memory for the socket's lifetime
  const before = await revokedBefore(ctx.broker, ctx.names.user(verified.userId));
  if (isRevoked(verified.issuedAt, before)) throw new EventBusError("TOKEN_REVOKED");
  if (ctx.users.count(verified.userId) >= ctx.limits.maxConnectionsPerUser) {
    throw new EventBusError(
      "TOO_MANY_CONNECTIONS",
      `User ${verified.userId} already has ${ctx.limits.maxConnectionsPerUser} connections on this relay.`,
    );
  }
  // Counted from here, so concurrent handshakes of one user cannot overshoot the cap; released on
  // disconnect, or when the transport closes before the socket connected.
  ctx.users.add(verified.userId, socket);
  const release = () => ctx.users.remove(verified.userId, socket);
  socket.conn.once("close", release);
  const session = new Session(socket.id, verified, ctx.options.authorize, ctx.limits);
  session.onConnected = () => socket.conn.off("close", release);
  return session;
}
