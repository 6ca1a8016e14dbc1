/**
 * The socket.io middleware that authenticates every (re)connection: the token from `auth.token` is
 * verified, checked against the user's revocation time and the per-user connection cap. A refusal
 * reaches the client as `connect_error` whose `data` is a WireError (`{ code, message }`).
 * There is no Connection State Recovery, so no socket ever skips this.
 */
import type { ExtendedError } from "socket.io";
import type { Clock } from "../../../common/clock.js";
import { isPlainRecord } from "../../../protocol/codec.js";
import { EventBusError, toEventBusError } from "../../../protocol/errors.js";
import { PROTOCOL_VERSION } from "../../../protocol/frames.js";
import type { AuthorizeHook } from "../../auth/authorize.js";
import { isRevoked } from "../../auth/revocation.js";
import type { TokenVerifier, VerifiedToken } from "../../auth/verify-token.js";
import type { RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { RelayLimits } from "../options.js";
import type { RelaySocket, RelayState } from "../types.js";
import type { ConnectionIndex } from "./limits.js";
import { Session } from "./session.js";

export interface HandshakeDeps {
  readonly state: Readonly<RelayState>;
  readonly verify: TokenVerifier;
  readonly revokedBefore: (userId: string) => Promise<number | null>;
  readonly users: ConnectionIndex<RelaySocket>;
  readonly limits: RelayLimits;
  readonly authorize: AuthorizeHook | undefined;
  readonly clock: Clock;
  readonly logger: RelayLogger;
  readonly metrics: Pick<RelayMetrics, "authFailures">;
}

export function handshakeMiddleware(deps: HandshakeDeps) {
  return (socket: RelaySocket, next: (error?: ExtendedError) => void): void => {
    authenticate(deps, socket).then(
      (session) => {
        socket.data.session = session;
        next();
      },
      (error: unknown) => {
        const refusal = toEventBusError(error, "TOKEN_INVALID");
        if (refusal.code === "INTERNAL") deps.logger.error({ err: error }, "handshake failed");
        deps.metrics.authFailures.inc({ code: refusal.code });
        deps.logger.info(
          { code: refusal.code, remoteAddress: socket.handshake.address },
          "refused a connection",
        );
        next(Object.assign(new Error(refusal.message), { data: refusal.toWire() }));
      },
    );
  };
}

function tokenOf(auth: unknown): string {
  const token = isPlainRecord(auth) ? auth.token : undefined;
  if (typeof token !== "string" || token.length === 0) throw new EventBusError("TOKEN_MISSING");
  const version = isPlainRecord(auth) ? auth.v : undefined;
  if (version !== undefined && version !== PROTOCOL_VERSION) {
    throw new EventBusError(
      "INVALID_FRAME",
      `Protocol version ${String(version)} is not supported; this relay speaks version ${PROTOCOL_VERSION}.`,
    );
  }
  return token;
}

async function authenticate(deps: HandshakeDeps, socket: RelaySocket): Promise<Session> {
  if (deps.state.shuttingDown) throw new EventBusError("SERVER_SHUTDOWN");
  const auth: unknown = socket.handshake.auth;
  const verified = await deps.verify(tokenOf(auth));
  delete (auth as Record<string, unknown>).token; // not kept in memory for the socket's lifetime
  if (isRevoked(verified.issuedAt, await deps.revokedBefore(verified.userId))) {
    throw new EventBusError("TOKEN_REVOKED");
  }
  return admit(deps, socket, verified);
}

/** Counts the connection against the per-user cap and builds its session. */
function admit(deps: HandshakeDeps, socket: RelaySocket, verified: VerifiedToken): Session {
  const cap = deps.limits.maxConnectionsPerUser;
  if (deps.users.count(verified.userId) >= cap) {
    throw new EventBusError(
      "TOO_MANY_CONNECTIONS",
      `User ${verified.userId} already has ${cap} connections on this relay.`,
    );
  }
  // Counted from here, so concurrent handshakes of one user cannot overshoot the cap; released on
  // disconnect, or when the transport closes before the socket connected.
  deps.users.add(verified.userId, socket);
  const release = () => deps.users.remove(verified.userId, socket);
  socket.conn.once("close", release);
  const session = new Session(socket.id, verified, deps.authorize, deps.limits, deps.clock);
  session.onConnected = () => socket.conn.off("close", release);
  return session;
}
