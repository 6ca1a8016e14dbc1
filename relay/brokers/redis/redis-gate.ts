/**
 * The gate every Redis operation passes: open while the broker is ready, so operations run at
 * once (synchronously, which keeps per-channel publish order); closed while it connects or
 * reconnects, so operations wait in a bounded FIFO queue and run in order when it opens again.
 * An operation that cannot wait is rejected with a coded error — never kept forever, never
 * dropped silently:
 *   - BROKER_UNAVAILABLE when the queue is full or the connection attempt failed;
 *   - TIMEOUT when it waited `timeoutMs` without the broker coming back (it was not sent);
 *   - CLOSED when the broker is closed.
 */
import type { Clock } from "../../../common/clock.js";
import { EventBusError } from "../../../protocol/errors.js";

export interface GateOptions {
  /** Operations allowed to wait at once. */
  readonly maxQueued: number;
  /** How long one operation may wait, in ms. */
  readonly timeoutMs: number;
  readonly clock: Clock;
}

interface Waiter {
  readonly run: () => void;
  readonly fail: (error: EventBusError) => void;
  readonly deadline: number;
}

export class ReadyGate {
  private opened = false;
  private closed = false;
  private queue: Waiter[] = [];
  private timer: unknown;

  constructor(
    private readonly options: GateOptions,
    private readonly onWait: () => void = () => {},
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Runs `operation` now when open, else once the gate opens (or rejects as described above). */
  run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.opened) return operation();
    if (this.closed) return Promise.reject(new EventBusError("CLOSED", "This broker was closed."));
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.reject(
        new EventBusError(
          "BROKER_UNAVAILABLE",
          `Redis is unreachable and ${this.queue.length} operations are already waiting (the limit); this one was not sent.`,
          { details: { queued: this.queue.length } },
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        run: () => operation().then(resolve, reject),
        fail: reject,
        deadline: this.options.clock.now() + this.options.timeoutMs,
      });
      this.armTimer();
      this.onWait();
    });
  }

  /** Opens the gate and runs every waiting operation, oldest first. */
  open(): void {
    if (this.closed) return;
    this.opened = true;
    this.clearTimer();
    const waiting = this.queue;
    this.queue = [];
    for (const waiter of waiting) waiter.run();
  }

  /** Later operations wait (a reconnect is under way). */
  shut(): void {
    this.opened = false;
  }

  /** Rejects everything waiting (e.g. the first connection failed); the gate stays shut. */
  failWaiting(error: EventBusError): void {
    this.clearTimer();
    const waiting = this.queue;
    this.queue = [];
    for (const waiter of waiting) waiter.fail(error);
  }

  /** Shuts for good: everything waiting and everything later is rejected with CLOSED. */
  close(): void {
    this.opened = false;
    this.closed = true;
    this.failWaiting(
      new EventBusError("CLOSED", "The broker was closed before this operation could be sent."),
    );
  }

  private armTimer(): void {
    const head = this.queue[0];
    if (this.timer !== undefined || !head) return;
    const { clock } = this.options;
    this.timer = clock.setTimeout(() => this.expire(), Math.max(0, head.deadline - clock.now()));
  }

  private expire(): void {
    this.timer = undefined;
    const now = this.options.clock.now();
    let expired = 0;
    while (expired < this.queue.length && (this.queue[expired] as Waiter).deadline <= now) expired++;
    const late = this.queue.splice(0, expired);
    for (const waiter of late) {
      waiter.fail(
        new EventBusError(
          "TIMEOUT",
          `Redis was unreachable for ${this.options.timeoutMs} ms, so the operation was not sent.`,
          { details: { waitedMs: this.options.timeoutMs } },
        ),
      );
    }
    this.armTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
