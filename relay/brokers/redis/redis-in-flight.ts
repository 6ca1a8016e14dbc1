/**
 * Commands a Redis broker has sent and not yet seen answered, so that close() can wait for their
 * replies before it closes the connections — bounded: one stuck past the timeout is given up.
 */
import type { Clock } from "../../../common/clock.js";

export class InFlight {
  private count = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly clock: Clock) {}

  start(): void {
    this.count++;
  }

  end(): void {
    if (--this.count === 0 && this.idle.length > 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, timeoutMs);
      this.idle.push(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    });
  }
}
