/**
 * A minimal WebSocket client on a raw TCP socket (RFC 6455, client side), for load generators that
 * must cost far less than the servers they measure. It does the HTTP upgrade, parses the server's
 * (unmasked) frames while a connection is being set up, and can then hand every received chunk,
 * unparsed, to a counter (`countWith`): counting deliveries becomes a `Buffer.indexOf` scan per
 * chunk instead of one frame object, string and event per message, as `ws` or socket.io-client do.
 *
 * Outgoing frames are masked with a zero key (valid for servers, which never check the key).
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export type ChunkCounter = (chunk: Buffer) => void;

export interface RawWebSocketEvents {
  /** A complete text frame, while not counting. */
  readonly onText: (text: string, ws: RawWebSocket) => void;
  /** The TCP connection closed (or failed). */
  readonly onClose?: (ws: RawWebSocket) => void;
}

const HEADER_END = Buffer.from("\r\n\r\n");

export class RawWebSocket {
  private pending: Buffer = Buffer.alloc(0);
  private upgraded = false;
  private counter: ChunkCounter | null = null;
  private fragments: Buffer[] = [];
  closed = false;

  /** Settles `open()`: null once upgraded, an error when the upgrade failed. */
  private settle: ((error: Error | null) => void) | null = null;

  private constructor(
    readonly socket: Socket,
    private readonly events: RawWebSocketEvents,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => {}); // surfaces as close
    socket.once("close", () => {
      this.closed = true;
      if (this.settle) this.settle(new Error("connection closed before the WebSocket upgrade"));
      else this.events.onClose?.(this);
    });
  }

  /** Connects to ws://127.0.0.1:port+path and resolves once the server switched protocols. */
  static open(port: number, path: string, events: RawWebSocketEvents, timeoutMs = 30_000) {
    return new Promise<RawWebSocket>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      const ws = new RawWebSocket(socket, events);
      const timer = setTimeout(() => ws.settle?.(new Error("WebSocket upgrade timed out")), timeoutMs);
      ws.settle = (error) => {
        ws.settle = null;
        clearTimeout(timer);
        if (!error) return resolve(ws);
        socket.destroy();
        reject(error);
      };
      socket.once("connect", () => {
        const key = randomBytes(16).toString("base64");
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
    });
  }

  send(text: string): void {
    if (this.closed) return;
    this.socket.write(maskedTextFrame(text));
  }

  /** From now on every received chunk (and any unparsed rest) goes to `counter`, unparsed. */
  countWith(counter: ChunkCounter): void {
    this.counter = counter;
    if (this.pending.length > 0) counter(this.pending);
    this.pending = Buffer.alloc(0);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.counter) {
      this.counter(chunk);
      return;
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.upgraded) {
      const end = this.pending.indexOf(HEADER_END);
      if (end === -1) return;
      const head = this.pending.subarray(0, end).toString("latin1");
      if (!/^HTTP\/1\.1 101/.test(head)) {
        this.settle?.(new Error(`upgrade refused: ${head.split("\r\n")[0] ?? ""}`));
        return;
      }
      this.upgraded = true;
      this.pending = this.pending.subarray(end + HEADER_END.length);
      this.settle?.(null);
    }
    this.parseFrames();
  }

  private parseFrames(): void {
    for (;;) {
      if (this.counter) {
        this.countWith(this.counter);
        return;
      }
      const frame = readFrame(this.pending);
      if (!frame) return;
      this.pending = this.pending.subarray(frame.size);
      this.onFrame(frame.opcode, frame.fin, frame.payload);
    }
  }

  private onFrame(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === 0x8) {
      this.socket.end();
    } else if (opcode === 0x9) {
      this.socket.write(maskedFrame(0xa, payload));
    } else if (opcode === 0x1 || opcode === 0x0) {
      this.fragments.push(payload);
      if (!fin) return;
      const text = Buffer.concat(this.fragments).toString("utf8");
      this.fragments = [];
      this.events.onText(text, this);
    }
  }
}

interface Frame {
  readonly opcode: number;
  readonly fin: boolean;
  readonly payload: Buffer;
  readonly size: number;
}

/** One complete frame at the start of `buffer`, or null when it has not fully arrived. */
export function readFrame(buffer: Buffer): Frame | null {
  if (buffer.length < 2) return null;
  const first = buffer[0] ?? 0;
  const second = buffer[1] ?? 0;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = buffer.readUInt32BE(2) * 2 ** 32 + buffer.readUInt32BE(6);
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const dataStart = offset + (masked ? 4 : 0);
  if (buffer.length < dataStart + length) return null;
  const payload = Buffer.from(buffer.subarray(dataStart, dataStart + length));
  if (masked)
    for (let i = 0; i < length; i++) payload[i] = (payload[i] ?? 0) ^ (buffer[offset + (i % 4)] ?? 0);
  return { opcode: first & 0x0f, fin: (first & 0x80) !== 0, payload, size: dataStart + length };
}

function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.alloc(header + 4 + length); // the 4-byte mask key stays zero
  frame[0] = 0x80 | opcode;
  if (header === 2) {
    frame[1] = 0x80 | length;
  } else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, header + 4);
  return frame;
}

export function maskedTextFrame(text: string): Buffer {
  return maskedFrame(0x1, Buffer.from(text, "utf8"));
}
