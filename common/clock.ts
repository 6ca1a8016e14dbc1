/**
 * Time, injectable — the one clock of the whole package. Every "now" and every timer in the client,
 * the relay, the brokers and the backend library goes through a `Clock`, so tests drive timeouts,
 * backoff, expiry, lingers and log throttles with fake time, and no module keeps time state of its
 * own (two relays in one process never share a throttle).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `ms`; the handle is only ever passed back to `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. Reads the globals at call time, so `vi.useFakeTimers()` also works. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** Lets a Node timer not keep the process alive (a no-op for browsers and fake clocks). */
export function unrefTimer(handle: unknown): void {
  const timer = handle as { unref?: () => void } | null;
  if (typeof timer?.unref === "function") timer.unref();
}

/** Resolves after `ms` of the clock's time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}

/** One pending callback at most: `set` replaces the previous one. */
export interface Timer {
  set(ms: number, callback: () => void): void;
  clear(): void;
  readonly pending: boolean;
}

/** A Timer on `clock`; `unref` (Node) lets it not keep the process alive. */
export function createTimer(clock: Clock, options: { readonly unref?: boolean } = {}): Timer {
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
      if (options.unref) unrefTimer(handle);
    },
    clear,
    get pending() {
      return armed;
    },
  };
}

/** Runs `task` every `ms` until stopped (a chain of timeouts: fake clocks drive it like any timer). */
export interface Repeater {
  start(): void;
  stop(): void;
  readonly running: boolean;
}

export function createRepeater(clock: Clock, ms: number, task: () => void): Repeater {
  const timer = createTimer(clock, { unref: true });
  let running = false;
  const tick = (): void => {
    timer.set(ms, tick);
    task();
  };
  return {
    start() {
      if (running) return;
      running = true;
      timer.set(ms, tick);
    },
    stop() {
      running = false;
      timer.clear();
    },
    get running() {
      return running;
    },
  };
}

/**
 * At most one `true` per `intervalMs`, per instance: log throttles ("logged at most once a second")
 * are objects owned by whoever logs, never module state.
 */
export function createThrottle(clock: Clock, intervalMs: number): () => boolean {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = clock.now();
    if (now - last < intervalMs) return false;
    last = now;
    return true;
  };
}
