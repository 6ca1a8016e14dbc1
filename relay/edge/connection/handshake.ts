/**
 * The socket.io middleware that authenticates every (re)connection: the address's handshake budget
 * is checked first (no token is verified for an address over it), then the token from `auth.token`
 * is verified and checked against the user's revocation time and the per-user connection cap. A
 * refusal reaches the client as `connect_error` whose `data` is a WireError (`{ code, message }`),
 * is logged in aggregate (refusal-log.ts), and closes the connection (connect-guard.ts).
 * There is no Connection State Recovery, so no socket ever skips this.
 */
import type { ExtendedError } from "socket.io";
import type { Clock } from "../../../common/clock.js";
import { isPlainRecord } from "../../../protocol/codec.js";
import { EventBusError, toEventBusError } from "../../../protocol/errors.js";
import { PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "../../../protocol/frames.js";
import type { AuthorizeHook } from "../../auth/authorize.js";
import { isRevoked } from "../../auth/revocation.js";
import type { TokenVerifier, VerifiedToken } from "../../auth/verify-token.js";
import type { RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { RefusalLog } from "../operations/refusal-log.js";
import type { RelayLimits } from "../options.js";
import type { RelaySocket, RelayState } from "../types.js";
import { clientAddress, closeRefused } from "./connect-guard.js";
import type { ConnectionIndex, KeyedBuckets } from "./limits.js";
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
  /** Handshake budgets per client address. */
  readonly addresses: KeyedBuckets;
  readonly refusals: RefusalLog;
  readonly trustProxy: number;
  /** The user's other connections on this relay that count against the cap (SSE streams). */
  readonly othersOf?: (userId: string) => number;
}

/** How long a refused connection may take to read its refusal before it is cut. */
const REFUSED_GRACE_MS = 1000;

export function handshakeMiddleware(deps: HandshakeDeps) {
  return (socket: RelaySocket, next: (error?: ExtendedError) => void): void => {
    const address = clientAddress(socket.request, deps.trustProxy);
    authenticate(deps, socket, address).then(
      (session) => {
        socket.data.session = session;
        next();
      },
      (error: unknown) => {
        const refusal = toEventBusError(error, "TOKEN_INVALID");
        if (refusal.code === "INTERNAL") deps.logger.error({ err: error }, "handshake failed");
        deps.metrics.authFailures.inc({ code: refusal.code });
        deps.refusals.refused(address, refusal.code);
        next(Object.assign(new Error(refusal.message), { data: refusal.toWire() }));
        closeRefused(socket.conn, deps.clock, REFUSED_GRACE_MS);
      },
    );
  };
}

function tokenOf(auth: unknown): string {
  const token = isPlainRecord(auth) ? auth.token : undefined;
  if (typeof token !== "string" || token.length === 0) throw new EventBusError("TOKEN_MISSING");
  const version = isPlainRecord(auth) ? auth.v : undefined;
  if (!SUPPORTED_PROTOCOL_VERSIONS.includes(version as number)) {
    const said = version === undefined ? "none (version 1)" : String(version).slice(0, 20);
    throw new EventBusError(
      "PROTOCOL_MISMATCH",
      `The client's protocol version is ${said}; this relay speaks version ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")} (newest ${PROTOCOL_VERSION}).`,
      { details: { version: said, supported: SUPPORTED_PROTOCOL_VERSIONS } },
    );
  }
  return token;
}

async function authenticate(deps: HandshakeDeps, socket: RelaySocket, address: string): Promise<Session> {
  if (deps.state.shuttingDown) throw new EventBusError("SERVER_SHUTDOWN");
  if (!deps.addresses.take(address)) {
    throw new EventBusError(
      "RATE_LIMITED",
      `Too many connection attempts from ${address}; retry with backoff.`,
    );
  }
  const auth: unknown = socket.handshake.auth;
  const verified = await deps.verify(tokenOf(auth));
  if (socket.conn.readyState !== "open") {
    throw new EventBusError("NOT_CONNECTED", "The connection closed during the handshake.");
  }
  // The token is not kept in memory for the socket's lifetime. Replaced rather than `delete`d: a
  // deletion leaves `auth` a dictionary-mode object (≈ 250 bytes more per connection).
  socket.handshake.auth = {};
  if (isRevoked(verified.issuedAt, await deps.revokedBefore(verified.userId))) {
    throw new EventBusError("TOKEN_REVOKED");
  }
  const session = admit(deps, socket, verified);
  session.protocol = isPlainRecord(auth) && typeof auth.v === "number" ? auth.v : 1;
  return session;
}

/** Counts the connection against the per-user cap and builds its session. */
function admit(deps: HandshakeDeps, socket: RelaySocket, verified: VerifiedToken): Session {
  const cap = deps.limits.maxConnectionsPerUser;
  if (deps.users.count(verified.userId) + (deps.othersOf?.(verified.userId) ?? 0) >= cap) {
    throw new EventBusError(
      "TOO_MANY_CONNECTIONS",
      `User ${verified.userId} already has ${cap} connections on this relay.`,
    );
  }
  // Counted from here, so concurrent handshakes of one user cannot overshoot the cap; released on
  // disconnect, or when the transport closes before the socket connected.
  deps.users.add(verified.userId, socket);
  const session = new Session(socket.id, verified, deps.authorize, deps.limits, deps.clock);
  (socket.conn as PendingConnection)[PENDING] = { users: deps.users, userId: verified.userId, socket };
  socket.conn.on("close", releaseIfNeverConnected);
  return session;
}

const PENDING = Symbol("eventbus.pending");

/** An engine.io connection whose socket was admitted (counted) but may not connect. */
interface PendingConnection {
  [PENDING]?: Pending | undefined;
}

interface Pending {
  readonly users: ConnectionIndex<RelaySocket>;
  readonly userId: string;
  readonly socket: RelaySocket;
}

/**
 * Uncounts a socket whose transport closed before it connected (a connected socket is uncounted on
 * `disconnect`, and removing it twice is harmless). One function shared by all connections, left
 * in place (removing a listener turns the emitter's listener table into a slower, larger dictionary).
 */
function releaseIfNeverConnected(this: PendingConnection): void {
  const pending = this[PENDING];
  this[PENDING] = undefined;
  pending?.users.remove(pending.userId, pending.socket);
}

/** Called once the socket connected: the transport's close is the socket's disconnect from now on. */
export function connectedFromHandshake(conn: unknown): void {
  (conn as PendingConnection)[PENDING] = undefined;
}
