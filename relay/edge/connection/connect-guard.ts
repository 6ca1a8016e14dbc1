/**
 * What stands before authentication, so a client without credentials costs the relay little:
 *   - one socket.io CONNECT per engine.io connection: a second one cuts the connection at once (its
 *     buffers dropped, its TCP connection closed), before socket.io builds a socket for it (a
 *     long-polling POST can pack hundreds of thousands);
 *   - a refused handshake closes its connection once the refusal (CONNECT_ERROR) was flushed, and
 *     cuts it `closeGraceMs` later if the peer does not read — nothing queues for it;
 *   - the client's address for per-address limits and logs: the socket's remote address, or with
 *     `trustProxy` hops the address the outermost trusted proxy put in X-Forwarded-For.
 * The deadline for authenticating is socket.io's `connectTimeout` (limits.authTimeoutMs).
 */
import type { IncomingMessage } from "node:http";
import type { Clock } from "../../../common/clock.js";
import { cutTransport } from "../delivery/engine-internals.js";

/** socket.io-parser's CONNECT packet type: an engine.io message starting with "0". */
const CONNECT = "0";

export interface EngineConnection {
  readonly request: IncomingMessage;
  readonly readyState: string;
  on(
    event: "packet",
    listener: (this: EngineConnection, packet: { type: string; data?: unknown }) => void,
  ): unknown;
  close(discard?: boolean): unknown;
}

const CONNECTS = Symbol("eventbus.connects");

/**
 * Returns the watcher of new engine.io connections: a second CONNECT closes the connection. One
 * listener function shared by every connection (the connection is its `this`, the count a property
 * on it), so watching costs no closure per connection. Returns nothing to undo.
 */
export function connectionGuard(onSecondConnect: (conn: EngineConnection) => void) {
  function onPacket(
    this: EngineConnection & { [CONNECTS]?: number },
    packet: { type: string; data?: unknown },
  ) {
    if (packet.type !== "message" || typeof packet.data !== "string" || !packet.data.startsWith(CONNECT))
      return;
    this[CONNECTS] = (this[CONNECTS] ?? 0) + 1;
    if (this[CONNECTS] < 2) return;
    // Cut, not closed gracefully: a client that sent a second CONNECT may never read, and ws would
    // keep its TCP connection for its 30 s closing handshake.
    cutTransport(this);
    onSecondConnect(this);
  }
  return (conn: EngineConnection): void => {
    conn.on("packet", onPacket);
  };
}

/** Closes a connection whose handshake was refused, after the refusal is flushed (or `graceMs`). */
export function closeRefused(conn: EngineConnection, clock: Clock, graceMs: number): void {
  clock.setTimeout(() => {
    if (conn.readyState !== "open") return;
    conn.close();
    clock.setTimeout(() => cutTransport(conn), graceMs);
  }, 0);
}

/** The client's address: the socket's, or the one `trustProxy` hops of X-Forwarded-For name. */
export function clientAddress(request: IncomingMessage, trustProxy: number): string {
  const direct = request.socket.remoteAddress ?? "unknown";
  if (trustProxy <= 0) return direct;
  const header = request.headers["x-forwarded-for"];
  const list = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  // The last entry was added by the proxy next to us; `trustProxy` hops back is the client.
  return list[list.length - trustProxy] ?? list[0] ?? direct;
}
