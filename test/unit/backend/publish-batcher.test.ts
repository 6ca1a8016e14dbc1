/** Batching: a batch goes out when full or when its interval ends, in order, each send settling alone. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PublishBatcher } from "../../../relay/backend/publish-batcher.js";
import { systemScheduler } from "../../../relay/backend/scheduler.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("PublishBatcher", () => {
  it("sends a full batch at once and the rest when the interval ends, in order", async () => {
    const batcher = new PublishBatcher({ batchSize: 3, batchInterval: 50 }, systemScheduler);
    const sent: number[] = [];
    const send = (n: number) => () => {
      sent.push(n);
      return Promise.resolve(n);
    };
    const results = [1, 2, 3, 4].map((n) => batcher.add(send(n)));
    expect(sent).toEqual([1, 2, 3]);
    expect(batcher.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(sent).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([1, 2, 3, 4]);
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4]);
  });

  it("rejects only the send that failed, and flush() sends what waits", async () => {
    const batcher = new PublishBatcher({ batchSize: 10, batchInterval: 0 }, systemScheduler);
    const ok = batcher.add(() => Promise.resolve("ok"));
    const bad = batcher.add(() => Promise.reject(new Error("nope")));
    const thrown = batcher.add((): Promise<string> => {
      throw new Error("sync");
    });
    batcher.flush();
    await expect(ok).resolves.toBe("ok");
    await expect(bad).rejects.toThrow("nope");
    await expect(thrown).rejects.toThrow("sync");
    expect(batcher.waiting).toBe(0);
  });
});
