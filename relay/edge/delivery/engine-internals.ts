/**
 * The one module that reads engine.io's and ws's internals (not in their typings), defensively:
 * any surprise in their shape means "no fast path" or "nothing queued", never a crash.
 *   - `directWebSocket(conn)`: the connection's open WebSocket, when a complete frame may be
 *     written straight to it (WebSocket transport, no compression, no upgrade in progress, nothing
 *     queued in engine.io — so per-socket order holds);
 *   - `engineBacklog(conn)`: packets queued in engine.io and bytes queued in the WebSocket;
 *   - `cutTransport(conn)`: drops a stuck connection's buffers at once;
 *   - `releaseHandshake(socket)`: drops the upgrade request's headers once the socket connected.
 * Verified with the versions in VERIFIED_WITH; test/unit/relay/fast-path-versions.test.ts fails when
 * the lock file drifts outside them, and /metrics counts deliveries per path
 * (`eventbus_relay_deliveries_total{path}`), so a fast path that silently stops being taken shows.
 */

/** Version prefixes of the packages whose internals this module reads, as verified. */
export const VERIFIED_WITH: Readonly<Record<string, string>> = Object.freeze({
  "engine.io": "6.6.",
  ws: "8.21.",
  "socket.io": "4.8.",
  "socket.io-adapter": "2.5.",
});

const WS_OPEN = 1;

export interface Corkable {
  cork(): void;
  uncork(): void;
  /** How many times the socket is corked now (node's `writable.writableCorked`). */
  readonly writableCorked: number;
}

export interface DirectWebSocket {
  /** Bytes written but not yet sent (public ws API). */
  readonly bufferedAmount: number;
  readonly _sender?: { sendFrame?: (list: FrameList) => void };
  readonly _socket?: Corkable;
}

interface WebSocketInternals extends DirectWebSocket {
  readonly readyState?: number;
  readonly terminate?: () => void;
}

interface EngineInternals {
  readonly readyState?: string;
  readonly upgrading?: boolean;
  readonly writeBuffer?: readonly unknown[];
  readonly transport?: {
    readonly name?: string;
    readonly perMessageDeflate?: unknown;
    readonly socket?: WebSocketInternals;
  };
}

/** The open WebSocket of an idle engine.io connection, or undefined (then use engine.io's path). */
export function directWebSocket(conn: unknown): DirectWebSocket | undefined {
  const engine = conn as EngineInternals;
  if (engine.readyState !== "open" || engine.upgrading !== false || engine.writeBuffer?.length !== 0) {
    return undefined;
  }
  const transport = engine.transport;
  if (transport?.name !== "websocket" || transport.perMessageDeflate) return undefined;
  const ws = transport.socket;
  if (ws?.readyState !== WS_OPEN || typeof ws._sender?.sendFrame !== "function") return undefined;
  return ws;
}

/**
 * One complete frame as ws's sender takes it (a list). Built once per message and handed to every
 * socket: the sender reads the list synchronously and keeps only the buffer.
 */
export type FrameList = readonly [Buffer];

export const frameList = (frame: Buffer): FrameList => [frame];

/** Writes a complete frame to a WebSocket returned by `directWebSocket`. */
export function writeFrame(ws: DirectWebSocket, frame: FrameList): void {
  ws._sender?.sendFrame?.(frame);
}

export interface Backlog {
  /** Packets queued in engine.io (every transport). */
  readonly packets: number;
  /** Bytes queued: in engine.io's packets (every transport, long-polling included) and in the WebSocket. */
  readonly bytes: number;
}

export function engineBacklog(conn: unknown): Backlog {
  const engine = conn as EngineInternals;
  const queue = engine.writeBuffer ?? [];
  let bytes = engine.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of queue) {
    const data = (packet as { data?: unknown } | null)?.data;
    if (typeof data === "string") bytes += data.length;
    else if (data instanceof Uint8Array) bytes += data.byteLength;
  }
  return { packets: queue.length, bytes };
}

/** Closes the connection discarding its buffers, and terminates its WebSocket without a close handshake. */
export function cutTransport(conn: { close(discard?: boolean): unknown }): void {
  conn.close(true);
  (conn as EngineInternals).transport?.socket?.terminate?.();
}

/** An unmasked, final WebSocket text frame (RFC 6455 §5.2) holding `text`. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, header, "utf8");
  return frame;
}

interface HandshakeHolder {
  readonly conn: unknown;
  readonly handshake: { headers: unknown; query: unknown };
}

interface RequestInternals {
  headers?: Record<string, string | string[] | undefined>;
  rawHeaders?: string[];
}

/**
 * Drops the upgrade request's headers (a browser sends ≈ 1 KB: cookies, user agent) once the socket
 * connected: engine.io keeps the request for the connection's life (`conn.request`, and its
 * `WebSocketResponse` close listener), socket.io a reference in `handshake.headers`, and the relay
 * reads them only during the handshake. `X-Forwarded-For` stays: the second-CONNECT guard logs the
 * client's address from it (`trustProxy`).
 */
export function releaseHandshake(socket: HandshakeHolder): void {
  const request = (socket.conn as { request?: RequestInternals }).request;
  const forwarded = request?.headers?.["x-forwarded-for"];
  const kept = forwarded === undefined ? {} : { "x-forwarded-for": forwarded };
  if (request) {
    request.headers = kept;
    request.rawHeaders = [];
  }
  socket.handshake.headers = kept;
  socket.handshake.query = {};
}
