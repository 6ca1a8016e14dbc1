/**
 * Waiting on events in tests without sleeping: a collector resolves as soon as the expected
 * number of items arrived, and fails with what it did get when a deadline passes.
 */
export interface Collector<T> {
  readonly items: T[];
  push(item: T): void;
  /** Resolves once `count` items arrived in total. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
}

export function collector<T>(label = "items"): Collector<T> {
  const items: T[] = [];
  const waiters: { count: number; resolve: (items: T[]) => void }[] = [];
  return {
    items,
    push(item) {
      items.push(item);
      for (const waiter of [...waiters]) {
        if (items.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(items);
        }
      }
    },
    waitFor(count, timeoutMs = 10_000) {
      if (items.length >= count) return Promise.resolve(items);
      return new Promise<T[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`expected ${count} ${label} within ${timeoutMs} ms, got ${items.length}`));
        }, timeoutMs);
        const waiter = {
          count,
          resolve: (value: T[]) => {
            clearTimeout(timer);
            resolve(value);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}

/** Polls `check` until it returns true; for state that has no event to await (expiry). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 25, label = "condition" } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${label} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
