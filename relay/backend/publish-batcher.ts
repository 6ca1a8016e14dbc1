/**
 * Batching of publishes: sends are held until `batchSize` are waiting or `batchInterval` ms
 * passed since the first, then issued together in one synchronous loop — in order — so the Redis
 * client writes them as one pipeline (ioredis auto-pipelining groups the commands of one tick).
 * Each publish still resolves or rejects on its own.
 */
import type { Scheduler } from "./scheduler.js";
import type { BatchingOptions } from "./types.js";

interface Pending {
  readonly send: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class PublishBatcher {
  private pending: Pending[] = [];
  private timer: unknown;
  private immediate: ReturnType<typeof setImmediate> | undefined;

  constructor(
    private readonly options: BatchingOptions,
    private readonly scheduler: Scheduler,
  ) {}

  get waiting(): number {
    return this.pending.length;
  }

  add<T>(send: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ send, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length >= this.options.batchSize) this.flush();
      else if (this.pending.length === 1) this.arm();
    });
  }

  /** Sends everything waiting now. */
  flush(): void {
    this.disarm();
    const batch = this.pending;
    this.pending = [];
    for (const item of batch) {
      try {
        item.send().then(item.resolve, item.reject);
      } catch (error) {
        item.reject(error);
      }
    }
  }

  private arm(): void {
    if (this.options.batchInterval <= 0) this.immediate = setImmediate(() => this.flush());
    else this.timer = this.scheduler.setTimeout(() => this.flush(), this.options.batchInterval);
  }

  private disarm(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
  }
}
