/**
 * Outgoing publishes: a bounded, ordered queue (count, bytes, age) sent one at a time, only while
 * connected, each with a client-generated id the relay de-duplicates on. Each publish resolves on
 * the relay's acknowledgement or rejects with a coded EventBusError — never silently dropped:
 * - retryable errors (TIMEOUT, RATE_LIMITED, BROKER_UNAVAILABLE, …) are retried with backoff;
 *   a connection lost mid-flight sends the same message (same id) again on the next connection;
 * - non-retryable ones (FORBIDDEN, INVALID_EVENT, TOO_LARGE, …) reject that publish only;
 * - overflow: `reject-new` (default) rejects the new publish, `drop-oldest` rejects the oldest
 *   waiting one — both with OUTBOX_FULL; a publish older than `maxAge` rejects with OUTBOX_EXPIRED.
 * With `storage`, entries survive a reload and the next page sends them (their outcome is
 * reported through the bus's `error` event, since the promise belonged to the previous page).
 */

import { type Clock, createTimer } from "../common/clock.js";
import { serialiseData } from "../protocol/codec.js";
import { EventBusError, toEventBusError } from "../protocol/errors.js";
import type { PublishResult } from "../protocol/frames.js";
import { createId } from "../protocol/ids.js";
import { type Limits, utf8ByteLength } from "../protocol/limits.js";
import { assertEventType, assertRoomName } from "../protocol/names.js";
import type { OutboxOptions, PublishAck, PublishInput } from "./outbox-options.js";
import type { OutboxRecord } from "./outbox-storage.js";
import type { RequestFn } from "./transport.js";

export interface OutboxDeps {
  readonly options: OutboxOptions;
  readonly clock: Clock;
  readonly retryDelay: (attempt: number) => number;
  readonly limits: () => Limits;
  readonly onPending: (count: number) => void;
  /** Resolves when a publish to `room` may be sent (its room's rejoin has settled). */
  readonly roomReady: (room: string) => Promise<void>;
  /** Failures nobody awaits (restored publishes, storage errors). */
  readonly onError: (error: EventBusError) => void;
}

interface Entry {
  readonly record: OutboxRecord;
  readonly data: unknown;
  readonly bytes: number;
  readonly resolve?: (ack: PublishAck) => void;
  readonly reject?: (error: EventBusError) => void;
}

export class Outbox {
  private queue: Entry[] = [];
  private bytes = 0;
  private request: RequestFn | null = null;
  private running = false;
  private inFlight: Entry | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  /** The request that said NOT_CONNECTED: wait for the next start() instead of spinning on it. */
  private parked: RequestFn | null = null;
  private readonly ready: Promise<void>;
  private readonly expiry;

  constructor(private readonly deps: OutboxDeps) {
    this.expiry = createTimer(deps.clock);
    this.ready = this.restore();
  }

  get size(): number {
    return this.queue.length;
  }

  add(input: PublishInput): Promise<PublishAck> {
    return new Promise<PublishAck>((resolve, reject) => {
      if (this.closed) throw new EventBusError("CLOSED");
      assertEventType(input.type);
      assertRoomName(input.room);
      const json = serialiseData(input.data, this.deps.limits());
      const bytes = utf8ByteLength(json) + input.type.length + input.room.length;
      this.makeRoom(bytes);
      const id = createId(this.deps.clock.now());
      const record: OutboxRecord = {
        id,
        type: input.type,
        room: input.room,
        data: json,
        createdAt: this.deps.clock.now(),
        ...(input.traceId !== undefined && { traceId: input.traceId }),
      };
      this.push({ record, data: input.data, bytes, resolve, reject });
      this.persist(record);
      this.kick();
    });
  }

  /** Connected: send what is waiting, and every later publish, through `request`. */
  start(request: RequestFn): void {
    this.request = request;
    this.parked = null;
    this.kick();
  }

  /** Disconnected: stop sending; what was in flight is sent again on the next start(). */
  stop(): void {
    this.request = null;
    this.wake?.();
  }

  /** Rejects every waiting publish with CLOSED. Stored entries stay stored for the next page. */
  close(): void {
    this.closed = true;
    this.stop();
    this.expiry.clear();
    const entries = this.queue;
    this.queue = [];
    this.bytes = 0;
    for (const entry of entries) entry.reject?.(new EventBusError("CLOSED"));
    this.deps.onPending(0);
  }

  private makeRoom(bytes: number): void {
    const { maxMessages, maxBytes, overflow } = this.deps.options;
    const fits = (): boolean => this.queue.length < maxMessages && this.bytes + bytes <= maxBytes;
    if (bytes > maxBytes) throw full(`it alone is larger than outbox.maxBytes (${maxBytes})`);
    while (!fits()) {
      const victim = overflow === "drop-oldest" ? this.queue.find((e) => e !== this.inFlight) : undefined;
      if (!victim) throw full(`${this.queue.length} publishes (${this.bytes} bytes) are waiting`);
      this.remove(victim);
      this.fail(victim, full("a newer publish replaced it (overflow: drop-oldest)"));
    }
  }

  private push(entry: Entry): void {
    this.queue.push(entry);
    this.bytes += entry.bytes;
    this.deps.onPending(this.queue.length);
    this.scheduleExpiry();
  }

  private remove(entry: Entry): boolean {
    const index = this.queue.indexOf(entry);
    if (index === -1) return false;
    this.queue.splice(index, 1);
    this.bytes -= entry.bytes;
    this.deps.onPending(this.queue.length);
    this.deps.options.storage?.remove(entry.record.id).catch((e: unknown) => this.storageError(e));
    return true;
  }

  private fail(entry: Entry, error: EventBusError): void {
    if (entry.reject) entry.reject(error);
    else
      this.deps.onError(
        new EventBusError(error.code, error.message, { cause: error, details: { id: entry.record.id } }),
      );
  }

  private persist(record: OutboxRecord): void {
    this.deps.options.storage?.add(record).catch((e: unknown) => this.storageError(e));
  }

  private storageError(error: unknown): void {
    this.deps.onError(toEventBusError(error, "INTERNAL"));
  }

  private kick(): void {
    if (this.running || !this.request || this.request === this.parked || this.closed) return;
    this.running = true;
    this.run()
      .catch((error: unknown) => this.deps.onError(toEventBusError(error)))
      .finally(() => {
        this.running = false;
        if (this.request && this.queue.length > 0 && !this.closed) this.kick();
      });
  }

  private async run(): Promise<void> {
    await this.ready;
    let attempt = 0;
    for (;;) {
      this.expire();
      const entry = this.queue[0];
      const request = this.request;
      if (!entry || !request || this.closed) return;
      const outcome = await this.send(entry, request);
      if (outcome === "done") attempt = 0;
      else if (outcome === "offline") {
        this.parked = request;
        return;
      } else await this.sleep(this.deps.retryDelay(attempt++));
    }
  }

  private async send(entry: Entry, request: RequestFn): Promise<"done" | "retry" | "offline"> {
    const { id, type, room, traceId } = entry.record;
    this.inFlight = entry;
    try {
      await this.deps.roomReady(room);
      if (this.request !== request) return this.request ? "done" : "offline";
      const result: PublishResult = await request("publish", {
        id,
        type,
        room,
        data: entry.data,
        ...(traceId !== undefined && { traceId }),
      });
      if (this.remove(entry)) entry.resolve?.({ id: result.id, offset: result.offset });
      return "done";
    } catch (error) {
      const failure = toEventBusError(error);
      if (this.request !== request) return this.request ? "done" : "offline";
      if (failure.code === "NOT_CONNECTED") return "offline";
      if (failure.retryable) return "retry";
      if (this.remove(entry)) this.fail(entry, failure);
      return "done";
    } finally {
      this.inFlight = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = createTimer(this.deps.clock);
      this.wake = () => {
        timer.clear();
        this.wake = null;
        resolve();
      };
      timer.set(ms, this.wake);
    });
  }

  private expire(): void {
    const { maxAge } = this.deps.options;
    const now = this.deps.clock.now();
    for (const entry of [...this.queue]) {
      if (entry !== this.inFlight && now - entry.record.createdAt >= maxAge && this.remove(entry)) {
        this.fail(
          entry,
          new EventBusError("OUTBOX_EXPIRED", `The publish waited longer than outbox.maxAge (${maxAge} ms).`),
        );
      }
    }
    this.scheduleExpiry();
  }

  private scheduleExpiry(): void {
    const oldest = this.queue.find((e) => e !== this.inFlight);
    if (!oldest || this.closed) {
      this.expiry.clear();
      return;
    }
    const due = oldest.record.createdAt + this.deps.options.maxAge - this.deps.clock.now();
    this.expiry.set(due, () => this.expire());
  }

  private async restore(): Promise<void> {
    const storage = this.deps.options.storage;
    if (!storage) return;
    let records: readonly OutboxRecord[] = [];
    try {
      records = await storage.load();
    } catch (error) {
      this.storageError(error);
    }
    const known = new Set(this.queue.map((e) => e.record.id));
    const restored = [...records].filter((r) => !known.has(r.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
    const entries = restored.map((record) => ({
      record,
      data: parseData(record.data),
      bytes: record.data.length + record.type.length + record.room.length,
    }));
    this.queue = [...entries, ...this.queue];
    this.bytes += entries.reduce((sum, e) => sum + e.bytes, 0);
    this.deps.onPending(this.queue.length);
    this.scheduleExpiry();
  }
}

function full(reason: string): EventBusError {
  return new EventBusError("OUTBOX_FULL", `The offline outbox is full: ${reason}.`);
}

function parseData(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}
