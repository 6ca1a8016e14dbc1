/**
 * Acknowledgements of a group consumer, batched: ids settled in one event-loop turn go to Redis as
 * one XACK, and batches are sent one after another. A failed XACK leaves its entries pending:
 * they are delivered again later (at least once), never lost.
 */
import { type Clock, createTimer } from "../../../common/clock.js";
export class AckBatcher {
  private ids: string[] = [];
  private scheduled = false;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (ids: readonly string[]) => Promise<unknown>,
    private readonly failed: (error: unknown) => void,
  ) {}

  add(id: string): void {
    this.ids.push(id);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Sends what is waiting; resolves once every batch so far was answered. */
  flush(): Promise<void> {
    this.scheduled = false;
    const ids = this.ids.splice(0);
    if (ids.length === 0) return this.sending;
    this.sending = this.sending.then(() => this.send(ids).then(() => {}, this.failed));
    return this.sending;
  }
}

/** Resolves waiters once a condition holds (checked when `check()` is called), or after a timeout. */
export class DrainWaiter {
  private waiters: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly isDrained: () => boolean,
  ) {}

  wait(timeoutMs: number): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = createTimer(this.clock);
      timer.set(timeoutMs, resolve);
      this.waiters.push(() => {
        timer.clear();
        resolve();
      });
    });
  }

  check(): void {
    if (this.isDrained()) for (const done of this.waiters.splice(0)) done();
  }
}
