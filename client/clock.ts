/**
 * Time, injectable: every timer and every "now" in the client goes through a Clock, so the state
 * machine, backoff, token refresh and outbox ages are tested with fake time.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. Reads the globals at call time, so `vi.useFakeTimers()` also works. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** One pending callback at most: `set` replaces the previous one. */
export interface Timer {
  set(ms: number, callback: () => void): void;
  clear(): void;
  readonly pending: boolean;
}

export function createTimer(clock: Clock): Timer {
  let handle: unknown;
  let armed = false;
  const clear = (): void => {
    if (armed) clock.clearTimeout(handle);
    armed = false;
  };
  return {
    set(ms, callback) {
      clear();
      armed = true;
      handle = clock.setTimeout(
        () => {
          armed = false;
          callback();
        },
        Math.max(0, ms),
      );
    },
    clear,
    get pending() {
      return armed;
    },
  };
}
