/**
 * Waiting on events in tests without sleeping: a collector resolves as soon as the expected
 * number of items arrived, and fails with what it did get when a deadline passes.
 */
export interface Collector<T> {
  readonly items: T[];
  push(item: T): void;
  /** Resolves once `count` items arrived in total. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves once an item matching `match` arrived (a marker sent after what is being checked). */
  waitUntil(match: (item: T) => boolean, timeoutMs?: number): Promise<T[]>;
}

interface Waiter<T> {
  readonly done: (items: readonly T[]) => boolean;
  readonly resolve: (items: T[]) => void;
}

export function collector<T>(label = "items"): Collector<T> {
  const items: T[] = [];
  const waiters: Waiter<T>[] = [];
  const wait = (done: Waiter<T>["done"], timeoutMs: number, expected: string): Promise<T[]> => {
    if (done(items)) return Promise.resolve(items);
    return new Promise<T[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`expected ${expected} within ${timeoutMs} ms, got ${items.length} ${label}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        done,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      waiters.push(waiter);
    });
  };
  return {
    items,
    push(item) {
      items.push(item);
      for (const waiter of [...waiters]) {
        if (waiter.done(items)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(items);
        }
      }
    },
    waitFor(count, timeoutMs = 10_000) {
      return wait((all) => all.length >= count, timeoutMs, `${count} ${label}`);
    },
    waitUntil(match, timeoutMs = 10_000) {
      return wait((all) => all.some(match), timeoutMs, `a matching item among the ${label}`);
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
