/**
 * Fan-out of one broker message to the sockets of its socket.io room. The message is encoded once
 * per relay — the socket.io packet, and the complete WebSocket frame around it — and then, for each
 * WebSocket client whose engine.io connection has nothing queued, that one frame buffer is handed
 * straight to the socket's WebSocket sender: one write per delivery, no per-socket packet objects,
 * events or callbacks. This is what engine.io itself does for pre-encoded broadcast frames
 * (`_sender.sendFrame`), minus its per-packet bookkeeping.
 *
 * Frames written in one event-loop turn are coalesced per socket (cork/uncork), so a burst costs one
 * write per socket. Any other socket — long-polling, upgrading, compressing, or with packets already
 * queued in engine.io (so order is kept) — gets the same pre-encoded packet through socket.io's own
 * path.
 * Membership is socket.io's default in-memory adapter (`socket.join(channel)`).
 */
import { RELAY_FRAMES } from "../../../protocol/frames.js";
import type { RelayServer, RelaySocket } from "../types.js";

const EVENT = 2; // socket.io-parser PacketType.EVENT
const WS_OPEN = 1;

type Packet = Parameters<RelaySocket["client"]["_packet"]>[0];

export interface EncodedMessage {
  /** The socket.io packet (`2["m",channel,message]`), for socket.io's own write path. */
  readonly packet: string;
  /** Engine.IO message packet `4…` in one unmasked WebSocket text frame. */
  readonly frame: Buffer;
}

/** Encodes `m(channel, message)` once: the socket.io packet and its WebSocket frame. */
export function encodeMessage(io: RelayServer, channel: string, message: string): EncodedMessage {
  const [packet] = io.encoder.encode({
    type: EVENT,
    nsp: "/",
    data: [RELAY_FRAMES.message, channel, message],
  });
  if (typeof packet !== "string") throw new Error("socket.io encoded a text packet as binary");
  return { packet, frame: textFrame(`4${packet}`) };
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

interface Writable {
  cork(): void;
  uncork(): void;
}

/**
 * One per relay. The first message of a turn of the event loop is written at once (no added
 * latency for sparse traffic); further messages in the same turn (a burst parsed from one read of
 * the broker connection) are corked per socket and flushed together when the turn ends: one write
 * system call per socket per burst instead of one per message. Order is unchanged.
 */
export class Fanout {
  private readonly corked = new Set<Writable>();
  private messagesThisTurn = 0;
  private readonly endTurn = () => {
    this.messagesThisTurn = 0;
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  };

  constructor(private readonly io: RelayServer) {}

  /** Sends the message to every socket in the room; returns how many sockets it was written to. */
  send(channel: string, encoded: EncodedMessage): number {
    const ids = this.io.sockets.adapter.rooms.get(channel);
    if (!ids) return 0;
    if (this.messagesThisTurn++ === 0) queueMicrotask(this.endTurn);
    const coalesce = this.messagesThisTurn > 1;
    let delivered = 0;
    for (const id of ids) {
      const socket = this.io.sockets.sockets.get(id);
      if (!socket) continue;
      if (!this.writeFrame(socket, encoded.frame, coalesce)) {
        socket.client._packet([encoded.packet] as unknown as Packet, { preEncoded: true });
      }
      delivered++;
    }
    return delivered;
  }

  private writeFrame(socket: RelaySocket, frame: Buffer, coalesce: boolean): boolean {
    const ws = fastPathSocket(socket);
    const sender = ws?._sender;
    if (!ws || typeof sender?.sendFrame !== "function") return false;
    const raw = ws._socket;
    if (coalesce && raw && !this.corked.has(raw)) {
      raw.cork();
      this.corked.add(raw);
    }
    sender.sendFrame([frame]);
    return true;
  }
}

// engine.io and ws internals (not in their typings), read defensively; any surprise → slow path.
interface WebSocketInternals {
  readonly readyState?: number;
  readonly _sender?: { sendFrame?: (list: readonly Buffer[]) => void };
  readonly _socket?: Writable;
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

/** The socket's open WebSocket when nothing is queued in engine.io for it, else undefined. */
function fastPathSocket(socket: RelaySocket): WebSocketInternals | undefined {
  const conn = socket.conn as unknown as EngineInternals;
  if (conn.readyState !== "open" || conn.upgrading !== false || conn.writeBuffer?.length !== 0)
    return undefined;
  const transport = conn.transport;
  if (transport?.name !== "websocket" || transport.perMessageDeflate) return undefined;
  return transport.socket?.readyState === WS_OPEN ? transport.socket : undefined;
}
