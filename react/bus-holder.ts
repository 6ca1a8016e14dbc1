/**
 * Who owns the bus behind a provider, as a tiny external store React can read with
 * useSyncExternalStore: `get()` is the bus hooks use now (null while none exists: on the server
 * and before the provider's first effect when it creates the bus itself).
 *
 * Creating a bus is a side effect (a socket, `online`/`visibilitychange` listeners), so an owned
 * bus is created in the provider's effect — never during render — and reference-counted:
 * StrictMode's mount → unmount → mount keeps the same bus, and only a real unmount closes it,
 * after a grace period.
 */
import {
  type AnyEvents,
  createEventBus,
  type EventBus,
  type EventBusOptions,
  validateEventBusOptions,
} from "../client/index.js";

/** The bus as the bindings hold it; each hook gives it the caller's event map. */
export type AnyBus = EventBus<AnyEvents>;

export interface BusHolder {
  /** The current bus, or null while none exists. Stable between changes. */
  readonly get: () => AnyBus | null;
  /** What the server render (and hydration) sees. */
  readonly getServer: () => AnyBus | null;
  readonly subscribe: (listener: () => void) => () => void;
  /** The provider's effect: makes sure the bus exists (and is connecting); returns the release. */
  acquire(): () => void;
}

/** A bus the app created and owns: the provider only connects it if it was never connected. */
export function givenBus(bus: AnyBus, connect: boolean): BusHolder {
  return {
    get: () => bus,
    getServer: () => bus,
    subscribe: () => () => {},
    acquire() {
      if (connect && bus.status === "idle") bus.connect();
      return () => {};
    },
  };
}

/** A bus the provider creates from options on first acquire and closes `closeDelay` ms after the last release. */
export function ownedBus(options: EventBusOptions, closeDelay: number): BusHolder {
  validateEventBusOptions(options); // bad options fail in render, not later in an effect
  let bus: AnyBus | null = null;
  let holds = 0;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  const close = (): void => {
    closeTimer = undefined;
    if (holds > 0 || bus === null) return;
    const closing = bus;
    bus = null;
    closing.close();
    notify();
  };
  return {
    get: () => bus,
    getServer: () => null,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    acquire() {
      holds++;
      if (closeTimer !== undefined) clearTimeout(closeTimer);
      closeTimer = undefined;
      if (bus === null) {
        bus = createEventBus<AnyEvents>(options);
        notify();
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--holds === 0) closeTimer = setTimeout(close, closeDelay);
      };
    },
  };
}
