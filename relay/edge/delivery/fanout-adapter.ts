/**
 * Where bytes are written to sockets. Fan-out sits behind socket.io's own extension point: a
 * per-namespace `Adapter` whose `broadcast()` (what `io.to(room).emit(...)` calls) encodes the
 * packet once — the socket.io packet and the complete WebSocket frame around it, as socket.io's
 * in-memory adapter already does — and then, for each socket of the room:
 *   - direct path: an idle WebSocket connection gets that one frame buffer handed straight to its
 *     WebSocket sender (engine-internals.ts): one write, no per-socket packet objects, events or
 *     callbacks. A room's first message in an event-loop turn is written at once; when the same
 *     room gets another message in that turn (a burst), its sockets are corked and flushed together
 *     when the turn ends (one more write system call per socket per burst). Messages to different
 *     rooms in one turn (small rooms at a steady rate) are never held back;
 *   - engine path: any other socket (long-polling, upgrading, compressing, or with packets already
 *     queued in engine.io, so order holds) gets the pre-encoded packet through engine.io's public
 *     `conn.write()`.
 * Each write's queued bytes are checked against the slow-consumer limit at once: a socket reported
 * (after the loop) is one whose WebSocket has stayed over `maxBufferedBytes` for `graceMs` (a reader
 * that is briefly behind a burst is not slow), or is over 4× the limit (memory is bounded between
 * sweeps whatever the rate). Deliveries are counted per path for /metrics. A socket is not put in
 * the room named after its id (see `addAll`): `io.to(socketId)` reaches no one on the relay.
 */
import { Adapter, type BroadcastOptions } from "socket.io-adapter";
import type { Clock } from "../../../common/clock.js";
import { type Corkable, directWebSocket, frameList, textFrame, writeFrame } from "./engine-internals.js";

/** Deliveries per path since the relay started (read by /metrics). */
export interface DeliveryCounts {
  direct: number;
  engine: number;
}

export interface FanoutOptions {
  /** Use the direct path where possible (`directFanout`); false: engine.io's path for every socket. */
  readonly direct: boolean;
  /** Bytes a WebSocket may have queued (see the file comment for when a socket is reported). */
  readonly maxBufferedBytes: number;
  /** How long a socket may stay over `maxBufferedBytes` (the sweep period). */
  readonly graceMs: number;
  readonly clock: Pick<Clock, "now">;
  /** Called after a broadcast with each socket that went over `maxBufferedBytes`. */
  readonly onOverLimit: (socketId: string, bufferedBytes: number) => void;
  readonly counts: DeliveryCounts;
}

/** socket.io-parser's packet (the adapter only encodes it). */
interface Packet {
  type: number;
  nsp: string;
  data?: unknown[];
}

interface FanoutSocket {
  readonly conn: { write(data: string): unknown };
}

interface NamespaceView {
  readonly name: string;
  readonly sockets: ReadonlyMap<string, FanoutSocket>;
  readonly server: { readonly encoder: { encode(packet: Packet): ReadonlyArray<string | Buffer> } };
}

const EVENT = 2; // socket.io-parser PacketType.EVENT
/** Over this many times the limit, a socket is reported at once. */
const HARD_LIMIT_FACTOR = 4;

export class FanoutAdapter extends Adapter {
  /** Sockets corked in this turn (uncorked when it ends). */
  private corked: Corkable[] = [];
  /** The rooms (their socket-id sets) written in this turn. */
  private readonly roomsThisTurn = new Set<ReadonlySet<string>>();
  /** Since when each socket over the byte limit has been over it (only sockets over it). */
  private readonly overSince = new Map<string, number>();
  private readonly endTurn = (): void => {
    this.roomsThisTurn.clear();
    const corked = this.corked;
    if (corked.length === 0) return;
    this.corked = [];
    for (const socket of corked) socket.uncork();
  };

  constructor(
    nsp: unknown,
    private readonly options: FanoutOptions,
  ) {
    super(nsp);
  }

  /** Whether a socket with `buffered` bytes queued now is to be reported (see the file comment). */
  private isSlow(id: string, buffered: number): boolean {
    const { maxBufferedBytes, graceMs, clock } = this.options;
    if (buffered <= maxBufferedBytes) {
      this.overSince.delete(id);
      return false;
    }
    if (buffered > maxBufferedBytes * HARD_LIMIT_FACTOR) return true;
    const now = clock.now();
    const since = this.overSince.get(id);
    if (since === undefined) this.overSince.set(id, now);
    return since !== undefined && now - since >= graceMs;
  }

  /**
   * socket.io puts every socket in a room named after its id (`io.to(socketId)`); the relay never
   * addresses a socket that way (it holds the socket itself), so that room is not kept: a Set and
   * two map entries less per connection.
   */
  override addAll(id: string, rooms: Set<string>): Promise<void> | void {
    if (!rooms.has(id)) return super.addAll(id, rooms);
    if (rooms.size > 1) return super.addAll(id, new Set([...rooms].filter((room) => room !== id)));
  }

  override delAll(id: string): void {
    this.overSince.delete(id);
    super.delAll(id);
  }

  /**
   * One plain event to one room, minus the sockets in `except` (latest-only holds, by socket id:
   * sockets have no id rooms here, so socket.io's own `except` could not skip them): our path, also
   * with `directFanout: false` when there are exceptions (engine.io's `conn.write` per socket).
   * Anything else (acks, flags, binary): socket.io's.
   */
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    const room = plainRoom(packet, opts);
    const ids = room === undefined ? undefined : this.without(this.rooms.get(room), opts.except);
    const excepting = (opts.except?.size ?? 0) > 0;
    if (room === undefined || (!this.options.direct && !excepting)) {
      this.options.counts.engine += ids?.size ?? 0;
      super.broadcast(packet, opts);
      return;
    }
    if (!ids || ids.size === 0) return;
    const nsp = this.nsp as NamespaceView;
    packet.nsp = nsp.name;
    const [encoded, ...rest] = nsp.server.encoder.encode(packet);
    if (typeof encoded !== "string" || rest.length > 0) {
      this.options.counts.engine += ids.size;
      super.broadcast(packet, opts);
      return;
    }
    this.writeAll(ids, nsp, encoded, this.options.direct);
  }

  /** The room's socket ids minus `except` (socket ids, or rooms whose sockets are skipped). */
  private without(ids: Set<string> | undefined, except: Set<string> | undefined): Set<string> | undefined {
    if (!ids || !except || except.size === 0) return ids;
    const left = new Set(ids);
    for (const entry of except) {
      left.delete(entry);
      for (const id of this.rooms.get(entry) ?? []) left.delete(id);
    }
    return left;
  }

  /**
   * Writes one encoded event to each socket of `ids`. Per delivery only what cannot be shared:
   * the socket lookup, the path check, the write, and the slow-consumer check (a Map operation
   * only for sockets over the limit, or while some socket is); the frame and the list ws's sender
   * takes are built once per message, counts are added once per message.
   */
  private writeAll(ids: ReadonlySet<string>, nsp: NamespaceView, encoded: string, direct: boolean): void {
    const turn = this.roomsThisTurn;
    if (turn.size === 0) queueMicrotask(this.endTurn);
    const coalesce = turn.has(ids);
    if (!coalesce) turn.add(ids);
    const frame = frameList(textFrame(`4${encoded}`));
    const sockets = nsp.sockets;
    const { maxBufferedBytes } = this.options;
    let directCount = 0;
    let engineCount = 0;
    let over: [string, number][] | undefined;
    for (const id of ids) {
      const socket = sockets.get(id);
      if (!socket) continue;
      const ws = direct ? directWebSocket(socket.conn) : undefined;
      if (!ws) {
        socket.conn.write(encoded);
        engineCount++;
        continue;
      }
      if (coalesce) this.cork(ws._socket);
      writeFrame(ws, frame);
      directCount++;
      const buffered = ws.bufferedAmount;
      if ((buffered > maxBufferedBytes || this.overSince.size > 0) && this.isSlow(id, buffered)) {
        over ??= [];
        over.push([id, buffered]);
      }
    }
    const { counts } = this.options;
    counts.direct += directCount;
    counts.engine += engineCount;
    if (over) for (const [id, bytes] of over) this.options.onOverLimit(id, bytes);
  }

  /** Corks a socket until the turn ends (once per socket per turn). */
  private cork(raw: Corkable | undefined): void {
    if (raw?.writableCorked !== 0) return;
    raw.cork();
    this.corked.push(raw);
  }
}

/** The room of a broadcast to exactly one room, of an event without ack, flags or exceptions. */
function plainRoom(packet: Packet, opts: BroadcastOptions): string | undefined {
  if (packet.type !== EVENT || opts.rooms.size !== 1) return undefined;
  const flags = opts.flags;
  if (flags && (flags.volatile || flags.compress || flags.timeout !== undefined)) return undefined;
  const [room] = opts.rooms;
  return room;
}

/** The adapter class for socket.io's `adapter` option (socket.io constructs it per namespace). */
export function fanoutAdapter(options: FanoutOptions): typeof Adapter {
  return class extends FanoutAdapter {
    constructor(nsp: unknown) {
      super(nsp, options);
    }
  };
}
