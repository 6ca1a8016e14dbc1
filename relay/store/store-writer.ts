/**
 * Writes published events to a writable store off the publish path. A publish first takes a slot
 * in a bounded queue (`admit`), before anything is sent to the broker; once the broker has
 * acknowledged the publish the event is queued (`commit`) and written in batches, in publish order.
 * So an acknowledged publish is never lost silently:
 *   - while the store is down, batches are retried with backoff and events wait in the queue
 *     (the health check says `degraded`);
 *   - when the queue is full, a publish is refused with STORE_BACKLOG_FULL before it is sent
 *     (overflow "reject", the default), or sent and counted as `dropped` (overflow "drop").
 * A retried batch may have been written already: the store skips ids it has (idempotent).
 * What is queued lives in this process: it is lost if the process dies while the store is down
 * (docs/backend.md says how to make that window durable).
 */
import { type Clock, sleep, systemClock } from "../../common/clock.js";
import type { EventEnvelope } from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";
import type { EventRecord, WritableEventStore } from "./event-store.js";

export interface StoreWriterOptions {
  /** Events queued or being written at most. */
  readonly maxQueued: number;
  /** Events per INSERT at most. */
  readonly batchSize: number;
  readonly overflow: "reject" | "drop";
  /** The aggregate of an event (indexed for replay by aggregate). */
  readonly aggregateOf: (envelope: EventEnvelope) => string | undefined;
  /** Called when a batch fails and when writing works again. */
  readonly onState?: (state: StoreWriterState, error?: unknown) => void;
  /** Timers for the retry backoff and flush timeouts. Default: the system clock. */
  readonly clock?: Clock;
}

export type StoreWriterState = "ok" | "retrying";

export interface StoreWriterStats {
  readonly state: StoreWriterState;
  /** Waiting to be written (including the batch in flight). */
  readonly queued: number;
  readonly maxQueued: number;
  readonly written: number;
  /** Publishes refused because the queue was full (overflow "reject"). */
  readonly rejected: number;
  /** Publishes sent without being stored because the queue was full (overflow "drop"). */
  readonly dropped: number;
  /** Batches that failed and were retried. */
  readonly failedBatches: number;
  readonly lastError: string | null;
}

/** What the publisher holds between admission and the broker's acknowledgement. */
export interface RecordTicket {
  commit(envelope: EventEnvelope, json: string, channel: string): void;
  cancel(): void;
}

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2000;

export class StoreWriter {
  private queue: EventRecord[] = [];
  private reserved = 0;
  private writing = false;
  private state: StoreWriterState = "ok";
  private counts = { written: 0, rejected: 0, dropped: 0, failedBatches: 0 };
  private lastError: string | null = null;
  private idle: (() => void)[] = [];
  private closed = false;
  private readonly clock: Clock;

  constructor(
    private readonly store: WritableEventStore,
    private readonly options: StoreWriterOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Takes a queue slot for a publish about to be sent; throws STORE_BACKLOG_FULL when full ("reject"). */
  admit(): RecordTicket | undefined {
    if (this.queue.length + this.reserved >= this.options.maxQueued) {
      if (this.options.overflow === "drop") {
        this.counts.dropped++;
        return undefined;
      }
      this.counts.rejected++;
      throw new EventBusError(
        "STORE_BACKLOG_FULL",
        `${this.queue.length} events are waiting to be written to the event store (store.maxQueued); this publish was not sent.`,
        { details: { queued: this.queue.length, lastError: this.lastError } },
      );
    }
    this.reserved++;
    let settled = false;
    return {
      commit: (envelope, json, channel) => {
        if (settled) return;
        settled = true;
        this.reserved--;
        this.enqueue(record(envelope, json, channel, this.options.aggregateOf(envelope)));
      },
      cancel: () => {
        if (settled) return;
        settled = true;
        this.reserved--;
      },
    };
  }

  stats(): StoreWriterStats {
    return {
      state: this.state,
      queued: this.queue.length,
      maxQueued: this.options.maxQueued,
      ...this.counts,
      lastError: this.lastError,
    };
  }

  /** Resolves once everything queued was written, or after `timeoutMs`; resolves to what is left. */
  async flush(timeoutMs: number): Promise<number> {
    if (this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.clock.setTimeout(resolve, timeoutMs);
        this.idle.push(() => {
          this.clock.clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.queue.length;
  }

  /** Stops retrying (after flush); what is still queued is not written. */
  close(): void {
    this.closed = true;
  }

  private enqueue(entry: EventRecord): void {
    this.queue.push(entry);
    if (!this.writing) {
      this.writing = true;
      setImmediate(() => void this.writeLoop());
    }
  }

  private async writeLoop(): Promise<void> {
    let failures = 0;
    while (this.queue.length > 0 && !this.closed) {
      const batch = this.queue.slice(0, this.options.batchSize);
      try {
        await this.store.append(batch);
        this.queue.splice(0, batch.length);
        this.counts.written += batch.length;
        failures = 0;
        this.setState("ok");
      } catch (error) {
        this.counts.failedBatches++;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.setState("retrying", error);
        const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** failures++);
        await sleep(this.clock, delay * (0.5 + Math.random() / 2));
      }
    }
    this.writing = false;
    for (const done of this.idle.splice(0)) done();
  }

  private setState(state: StoreWriterState, error?: unknown): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onState?.(state, error);
  }
}

function record(
  envelope: EventEnvelope,
  json: string,
  channel: string,
  aggregateId: string | undefined,
): EventRecord {
  return {
    id: envelope.id,
    type: envelope.type,
    channel,
    aggregateId,
    source: envelope.metadata.source,
    occurredAt: envelope.metadata.timestamp,
    json,
  };
}
