/**
 * Clocks for the client's injectable Clock.
 *  - ManualClock: time moves only when a test calls advance(), and due callbacks run in time
 *    order. Async work started by a callback is let run (microtasks flushed) between timers, so
 *    promise chains behave as with real time.
 *  - TrackingClock: real timers and a "now" that can jump ahead; lists the pending timers.
 */
import type { Clock } from "../../common/clock.js";

interface Scheduled {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, Scheduled>();

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Delays (from now) of the pending timers, soonest first. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.current).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    await flush();
    for (;;) {
      const due = [...this.timers.values()]
        .filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers.delete(due.id);
      this.current = Math.max(this.current, due.at);
      due.callback();
      await flush();
    }
    this.current = end;
    await flush();
  }
}

/** Lets pending promise callbacks run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/**
 * Real timers, and a "now" that can be moved ahead (`jump`): a relay whose sweep should find a
 * token expired at its next pass, without waiting for the token's real lifetime. It also keeps
 * track of what was scheduled: a test asserts that nothing (a retry, a reconnect) is pending
 * instead of waiting a while to see that nothing happens.
 */
export class TrackingClock implements Clock {
  private readonly timers = new Map<ReturnType<typeof setTimeout>, number>();
  private aheadMs = 0;

  now(): number {
    return Date.now() + this.aheadMs;
  }

  /** Moves "now" `ms` ahead of the real time (timers keep their real delays). */
  jump(ms: number): void {
    this.aheadMs += ms;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      callback();
    }, ms);
    this.timers.set(handle, ms);
    return handle;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as ReturnType<typeof setTimeout>;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Delays (as scheduled) of the timers neither run nor cleared yet, shortest first. */
  pending(): number[] {
    return [...this.timers.values()].sort((a, b) => a - b);
  }
}
