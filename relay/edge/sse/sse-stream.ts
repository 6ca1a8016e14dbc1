/**
 * One SSE stream: the channels it holds, the position reached in each, and the response it writes
 * to. It follows the relay's join sequence (docs/architecture.md): the channels are subscribed
 * before this stream reads their positions or history, live messages arriving meanwhile wait in
 * the channel's queue, and every message is then delivered once, in order, by offset:
 *   - an offset at or below the channel's position is a duplicate and dropped;
 *   - the next offset is written, its position encoded in the event's `id` (protocol/sse.ts);
 *   - a hole, or another epoch, makes the stream read history from its position (paced by the
 *     pacer like a socket's recovery) — the missed events, or a `gap` event when history no longer
 *     holds them. A new epoch is replayed from its first offset after the gap, as the SDK does.
 * Live messages without a position (a raw PUBLISH) are written as they come, with the current id.
 */
import { decodeMessage } from "../../../protocol/codec.js";
import { type ErrorCode, EventBusError, toEventBusError, type WireError } from "../../../protocol/errors.js";
import type { Limits } from "../../../protocol/limits.js";
import type { StreamPosition } from "../../../protocol/position.js";
import { encodeSseId, SSE_EVENTS, type SsePositions } from "../../../protocol/sse.js";
import type { VerifiedToken } from "../../auth/verify-token.js";
import type { Pacer } from "../delivery/pacing.js";
import type { Recovery } from "../delivery/recovery.js";
import type { RelayMetrics } from "../operations/metrics.js";
import { comment, messageData, retryField, sseFrame } from "./sse-format.js";

/** Where a stream writes: a Node ServerResponse, or anything with its writing surface. */
export interface SseSink {
  write(chunk: string): boolean;
  end(): void;
  destroy(): void;
  readonly writableLength: number;
}

export interface SseStreamDeps {
  readonly recovery: Pick<Recovery, "sync" | "page" | "pageSize">;
  readonly pacer: Pacer;
  readonly limits: Limits & { readonly maxBufferedBytes: number };
  readonly metrics: {
    readonly [K in "messagesOut" | "slowConsumers" | "disconnects"]: Pick<RelayMetrics[K], "inc">;
  };
  /** Called once when the stream ends, however it ends. */
  readonly onClose: (stream: SseStream) => void;
}

interface Pending {
  readonly raw: string;
  readonly position: StreamPosition | undefined;
  readonly id: string;
}

interface Cursor {
  readonly channel: string;
  position: StreamPosition | undefined;
  syncing: boolean;
  pending: Pending[];
  pendingBytes: number;
}

/** Pages one catch-up may read (a channel's whole history is far fewer). */
const MAX_PAGES = 10_000;
/** When a reader comes back after history could not be read (the broker was unreachable). */
const RETRY_AFTER_FAILURE_MS = 1000;

export class SseStream {
  closed = false;
  /** Whether the stream's backlog was over the limit at the last sweep. */
  overLimit = false;
  private readonly cursors = new Map<string, Cursor>();

  constructor(
    readonly connectionId: string,
    readonly token: VerifiedToken,
    readonly channels: readonly string[],
    private readonly sink: SseSink,
    private readonly deps: SseStreamDeps,
  ) {
    for (const channel of channels) {
      this.cursors.set(channel, {
        channel,
        position: undefined,
        syncing: true,
        pending: [],
        pendingBytes: 0,
      });
    }
  }

  get userId(): string {
    return this.token.userId;
  }

  /** Bytes written but not yet taken by the network. */
  get backlog(): number {
    return this.sink.writableLength;
  }

  /** Catches every channel up from `since` (after the caller subscribed them), then announces `ready`. */
  async start(since: SsePositions): Promise<void> {
    for (const cursor of this.cursors.values()) cursor.position = since[cursor.channel];
    for (const cursor of this.cursors.values()) await this.catchUp(cursor);
    if (this.closed) return;
    const channels = [...this.cursors.values()].map(({ channel, position }) => ({ channel, position }));
    const data = JSON.stringify({ connectionId: this.connectionId, userId: this.userId, channels });
    this.write(sseFrame({ event: SSE_EVENTS.ready, id: this.id(), data }));
  }

  /** A live message of one of the stream's channels. */
  live(channel: string, raw: string, position: StreamPosition | undefined, id: string): void {
    const cursor = this.cursors.get(channel);
    if (!cursor || this.closed) return;
    if (cursor.syncing) {
      this.hold(cursor, { raw, position, id });
    } else if (position === undefined) {
      this.send(channel, raw);
    } else if (this.inOrder(cursor, position, id, raw) === "hole") {
      this.hold(cursor, { raw, position, id });
      void this.catchUp(cursor);
    }
  }

  /** Writes the next event of the channel, drops a duplicate, or reports a hole (or new epoch). */
  private inOrder(cursor: Cursor, position: StreamPosition, id: string, raw: string): "done" | "hole" {
    const at = cursor.position;
    if (at === undefined || position.epoch !== at.epoch) return "hole";
    if (position.offset <= at.offset) return "done";
    if (position.offset !== at.offset + 1) return "hole";
    cursor.position = { offset: position.offset, epoch: position.epoch, id };
    this.send(cursor.channel, raw);
    return "done";
  }

  /** Checks history from the channel's position (after the broker lost and restored its subscription). */
  resync(channel: string): void {
    const cursor = this.cursors.get(channel);
    if (cursor && !cursor.syncing && !this.closed) void this.catchUp(cursor);
  }

  heartbeat(): void {
    this.write(comment("ping"));
  }

  /**
   * Ends the stream. With a notice, the reader is told why (and when to come back, with `retryMs`);
   * `discard` drops whatever is still queued (a slow consumer).
   */
  close(notice?: WireError, options: { readonly retryMs?: number; readonly discard?: boolean } = {}): void {
    if (this.closed) return;
    if (notice) this.deps.metrics.disconnects.inc({ reason: notice.code });
    if (options.discard) {
      this.closed = true;
      this.sink.destroy();
    } else {
      if (options.retryMs !== undefined) this.write(retryField(options.retryMs));
      if (notice) this.write(sseFrame({ event: SSE_EVENTS.notice, data: JSON.stringify(notice) }));
      this.closed = true;
      this.sink.end();
    }
    for (const cursor of this.cursors.values()) cursor.pending = [];
    this.deps.onClose(this);
  }

  /** Cut with a code, dropping what is queued (slow consumers). */
  cut(code: ErrorCode, problem?: string): void {
    if (code === "SLOW_CONSUMER") this.deps.metrics.slowConsumers.inc();
    this.close(new EventBusError(code, problem).toWire(), { discard: true });
  }

  private id(): string {
    const positions: Record<string, StreamPosition> = {};
    for (const { channel, position } of this.cursors.values()) if (position) positions[channel] = position;
    return encodeSseId(positions);
  }

  private send(channel: string, raw: string): void {
    this.write(sseFrame({ id: this.id(), data: messageData(channel, raw) }));
    this.deps.metrics.messagesOut.inc();
  }

  private write(text: string): void {
    if (this.closed) return;
    this.sink.write(text);
    if (this.sink.writableLength > 4 * this.deps.limits.maxBufferedBytes) {
      this.cut("SLOW_CONSUMER", `${this.sink.writableLength} bytes queued for this stream.`);
    }
  }

  private hold(cursor: Cursor, pending: Pending): void {
    cursor.pending.push(pending);
    cursor.pendingBytes += pending.raw.length;
    if (cursor.pendingBytes > 4 * this.deps.limits.maxBufferedBytes) {
      this.cut("SLOW_CONSUMER", `${cursor.pendingBytes} bytes waiting while the stream caught up.`);
    }
  }

  /** Reads history from the cursor's position until caught up, then delivers what waited. */
  private async catchUp(cursor: Cursor): Promise<void> {
    cursor.syncing = true; // synchronously: messages arriving from now on wait in the queue
    try {
      await this.readHistory(cursor);
    } catch (error) {
      this.close(toEventBusError(error, "BROKER_UNAVAILABLE").toWire(), { retryMs: RETRY_AFTER_FAILURE_MS });
      return;
    }
    if (this.closed) return;
    cursor.syncing = false;
    const pending = cursor.pending;
    cursor.pending = [];
    cursor.pendingBytes = 0;
    for (const item of pending) this.live(cursor.channel, item.raw, item.position, item.id);
  }

  private async readHistory(cursor: Cursor): Promise<void> {
    const { recovery, pacer } = this.deps;
    for (let page = 0; page < MAX_PAGES && !this.closed; page++) {
      const from = cursor.position;
      if (from === undefined) {
        cursor.position = (await recovery.sync(cursor.channel, undefined)).position;
        return;
      }
      await pacer.room(this.sink);
      if (this.closed) return;
      const result = await recovery.page(cursor.channel, from, recovery.pageSize);
      if (!result.recovered) {
        const newEpoch = result.position.epoch !== from.epoch;
        this.gap(cursor, newEpoch ? { offset: 0, epoch: result.position.epoch } : result.position);
        if (newEpoch) continue;
        return;
      }
      for (const raw of result.messages) this.stored(cursor, raw);
      if (!result.more) return;
    }
  }

  private stored(cursor: Cursor, raw: string): void {
    let decoded: ReturnType<typeof decodeMessage>;
    try {
      decoded = decodeMessage(raw, this.deps.limits);
    } catch {
      return; // over this relay's limits (stored by a publisher with larger ones): skipped, as live
    }
    const { envelope, position } = decoded;
    const at = cursor.position;
    if (!position || (at && position.epoch === at.epoch && position.offset <= at.offset)) return;
    cursor.position = { offset: position.offset, epoch: position.epoch, id: envelope.id };
    this.send(cursor.channel, raw);
  }

  private gap(cursor: Cursor, position: StreamPosition): void {
    cursor.position = position;
    const data = JSON.stringify({ channel: cursor.channel, position });
    this.write(sseFrame({ event: SSE_EVENTS.gap, id: this.id(), data }));
  }
}
