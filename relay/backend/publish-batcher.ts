/**
 * Batching of publishes: events are held until `batchSize` are waiting or `batchInterval` ms
 * passed since the first (0: until the end of the current tick), then sent together as one
 * broker call (`publishBatch`: one Redis script call for the whole batch, in order). Each
 * publish still gets its own result; a failed call fails every publish of its batch.
 */

import type { Clock } from "../../common/clock.js";
import { EventBusError, toEventBusError } from "../../protocol/errors.js";
import type { BatchItem, BatchOutcome } from "../brokers/redis/redis-batch.js";
import type { BatchingOptions } from "./types.js";

export type BatchSender = (items: readonly BatchItem[]) => Promise<readonly BatchOutcome[]>;

interface Pending {
  readonly item: BatchItem;
  /** Resolves the publish with `finish(outcome)`; one promise per publish, no further steps. */
  readonly finish: (outcome: BatchOutcome) => unknown;
  /** Called when the publish fails, before it rejects. */
  readonly failed: (() => void) | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class PublishBatcher {
  private pending: Pending[] = [];
  private timer: unknown;
  private immediate: ReturnType<typeof setImmediate> | undefined;

  constructor(
    private readonly options: BatchingOptions,
    private readonly clock: Clock,
    private readonly sendBatch: BatchSender,
  ) {}

  get waiting(): number {
    return this.pending.length;
  }

  /** Queues one publish; it resolves to `finish(outcome)` once its batch was sent. */
  add<R>(item: BatchItem, finish: (outcome: BatchOutcome) => R, failed?: () => void): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, finish, failed, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length >= this.options.batchSize) this.flush();
      else if (this.pending.length === 1) this.arm();
    });
  }

  /** Sends everything waiting now. */
  flush(): void {
    this.disarm();
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let sending: Promise<readonly BatchOutcome[]>;
    try {
      sending = this.sendBatch(batch.map((p) => p.item));
    } catch (error) {
      sending = Promise.reject(error);
    }
    sending.then(
      (outcomes) => {
        batch.forEach((p, i) => {
          const outcome = outcomes[i];
          if (outcome) p.resolve(p.finish(outcome));
          else
            fail(
              p,
              new EventBusError("INTERNAL", "The broker returned fewer results than events in the batch."),
            );
        });
      },
      (error: unknown) => {
        for (const p of batch) fail(p, toEventBusError(error, "BROKER_UNAVAILABLE"));
      },
    );
  }

  private arm(): void {
    if (this.options.batchInterval <= 0) this.immediate = setImmediate(() => this.flush());
    else this.timer = this.clock.setTimeout(() => this.flush(), this.options.batchInterval);
  }

  private disarm(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
  }
}

function fail(pending: Pending, error: unknown): void {
  pending.failed?.();
  pending.reject(error);
}
