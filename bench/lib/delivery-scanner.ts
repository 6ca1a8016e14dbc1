/**
 * Counts deliveries in raw WebSocket byte streams without parsing frames: every event the
 * benchmark publishes carries `data` starting with `{"t":<publish time>` — `{"tb":` for
 * broadcasts — (as JSON inside the socket.io packet for ours since protocol 3 and for the
 * baseline; a scanner for JSON-escaped packets would look for `{\"t\":`), exactly once per message, so
 * one `Buffer.indexOf` scan per chunk counts messages, and the number after the marker gives
 * publish→deliver latency, kept apart for broadcasts. Engine.IO pings
 * (the 3-byte text frame "2") are found the same way and answered. Patterns split across two
 * chunks are found with a short tail kept per connection.
 */
import { now } from "./feeders.js";

const PING = Buffer.from([0x81, 0x01, 0x32]);
const B = 0x62; // "b"

export interface ScannedConnection {
  count: number;
  /** The last bytes of the previous chunk (a buffer of the scanner's `tailLength`) and how many. */
  tail: Buffer;
  tailUsed: number;
  /** Answers an Engine.IO ping. */
  pong(): void;
}

export class DeliveryScanner {
  total = 0;
  recordLatency = false;
  /** Latencies of events whose data starts with `t` (rooms, users) and `tb` (broadcasts). */
  latencies: number[] = [];
  broadcastLatencies: number[] = [];
  readonly tailLength: number;

  constructor(
    private readonly marker: Buffer,
    private readonly answerPings: boolean,
    private readonly onDelivery: () => void,
  ) {
    this.tailLength = Math.max(marker.length, PING.length) - 1;
  }

  scan(conn: ScannedConnection, chunk: Buffer): void {
    const arrival = now();
    const tail = conn.tail.subarray(0, conn.tailUsed);
    // A pattern can only span the two chunks if the tail holds its first byte (rare: the tail is
    // usually the end of a message).
    if (tail.length > 0 && (tail.includes(this.marker[0] ?? 0) || tail.includes(PING[0] ?? 0))) {
      const joint = Buffer.concat([tail, chunk.subarray(0, this.tailLength)]);
      this.find(joint, conn, arrival, tail.length);
    }
    this.find(chunk, conn, arrival, -1);
    if (chunk.length >= this.tailLength) {
      conn.tailUsed = chunk.copy(conn.tail, 0, chunk.length - this.tailLength);
    } else {
      const rest = Buffer.concat([tail, chunk]);
      conn.tailUsed = rest.copy(conn.tail, 0, Math.max(0, rest.length - this.tailLength));
    }
  }

  /**
   * Counts markers (and answers pings) in `buffer`. With `boundary` ≥ 0, only patterns that start
   * before it and end after it (the ones spanning two chunks) are taken.
   */
  private find(buffer: Buffer, conn: ScannedConnection, arrival: number, boundary: number): void {
    const spans = (at: number, length: number) => boundary < 0 || (at < boundary && at + length > boundary);
    for (let at = buffer.indexOf(this.marker); at !== -1; at = buffer.indexOf(this.marker, at + 1)) {
      if (!spans(at, this.marker.length)) continue;
      conn.count++;
      this.total++;
      if (this.recordLatency) {
        const broadcast = buffer[at + this.marker.length] === B;
        const sent = readNumber(buffer, at + this.marker.length + (broadcast ? 1 : 0));
        if (Number.isFinite(sent))
          (broadcast ? this.broadcastLatencies : this.latencies).push(arrival - sent);
      }
      this.onDelivery();
    }
    if (!this.answerPings) return;
    for (let at = buffer.indexOf(PING); at !== -1; at = buffer.indexOf(PING, at + 1)) {
      if (spans(at, PING.length)) conn.pong();
    }
  }
}

/**
 * The decimal number after the key's closing `":` or `\":` at `start`, or NaN when it runs to the
 * end of the buffer (cut off).
 */
function readNumber(buffer: Buffer, start: number): number {
  let value = 0;
  let scale = 0;
  let first = start;
  while (first < start + 3 && !isDigit(buffer[first])) first++;
  for (let i = first; i < buffer.length; i++) {
    const c = buffer[i] ?? 0;
    if (c >= 48 && c <= 57) {
      if (scale === 0) value = value * 10 + (c - 48);
      else {
        value += (c - 48) / scale;
        scale *= 10;
      }
    } else if (c === 46 && scale === 0) {
      scale = 10;
    } else {
      return i === first ? Number.NaN : value;
    }
  }
  return Number.NaN;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}
