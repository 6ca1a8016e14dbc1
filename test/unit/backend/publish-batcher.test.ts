/** Batching: a batch goes out as one call when full or when its interval ends, in order, each publish getting its own result. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../../common/clock.js";
import { PublishBatcher } from "../../../relay/backend/publish-batcher.js";
import type { BatchItem, BatchOutcome } from "../../../relay/brokers/redis/redis-batch.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const item = (n: number): BatchItem => ({ channel: `c${n}`, message: `m${n}`, recoverable: n % 2 === 0 });

describe("PublishBatcher", () => {
  it("sends a full batch at once and the rest when the interval ends, in order", async () => {
    const calls: string[][] = [];
    const batcher = new PublishBatcher({ batchSize: 3, batchInterval: 50 }, systemClock, async (items) => {
      calls.push(items.map((i) => i.channel));
      return items.map((_, i): BatchOutcome => ({ receivers: i }));
    });
    const results = [1, 2, 3, 4].map((n) => batcher.add(item(n), (outcome) => ({ n, outcome })));
    expect(calls).toEqual([["c1", "c2", "c3"]]);
    expect(batcher.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([["c1", "c2", "c3"], ["c4"]]);
    expect(await Promise.all(results)).toEqual([
      { n: 1, outcome: { receivers: 0 } },
      { n: 2, outcome: { receivers: 1 } },
      { n: 3, outcome: { receivers: 2 } },
      { n: 4, outcome: { receivers: 0 } },
    ]);
  });

  it("fails every publish of a failed batch, and flush() sends what waits", async () => {
    const batcher = new PublishBatcher({ batchSize: 10, batchInterval: 0 }, systemClock, () =>
      Promise.reject(new Error("connection lost")),
    );
    let failures = 0;
    const onFail = () => failures++;
    const both = [batcher.add(item(1), (o) => o, onFail), batcher.add(item(2), (o) => o, onFail)];
    batcher.flush();
    for (const p of both) await expect(p).rejects.toThrow("connection lost");
    expect(failures).toBe(2);
    expect(batcher.waiting).toBe(0);
    const thrower = new PublishBatcher({ batchSize: 1, batchInterval: 0 }, systemClock, () => {
      throw new Error("sync");
    });
    await expect(thrower.add(item(3), (o) => o)).rejects.toThrow("sync");
  });
});
