/**
 * <EventBusProvider>: gives the hooks below it a bus.
 *
 *   <EventBusProvider bus={bus}>…</EventBusProvider>               // a bus you created (and close)
 *   <EventBusProvider options={{ url, getToken }}>…</EventBusProvider>  // the provider creates and closes it
 *
 * With `options`, the bus is created in the provider's first effect (never during render: no
 * socket and no `window` on the server, and hydration then connects), once per provider:
 * StrictMode's simulated unmount does not close it; a real unmount closes it after `gracePeriod`.
 * With `bus`, the provider connects it after mount if it was created with `autoConnect: false`
 * and never connected (pass `connect={false}` to keep that to yourself); it never closes it.
 */
import { type ReactNode, useEffect, useMemo, useState } from "react";
import type { EventBus, EventBusOptions, EventMap } from "../client/index.js";
import { type AnyBus, givenBus, ownedBus } from "./bus-holder.js";
import { type BusContextValue, EventBusContext } from "./context.js";

/** Default grace period (ms) before a room is left / an owned bus is closed after the last user unmounts. */
export const DEFAULT_GRACE_PERIOD = 1000;

interface CommonProps {
  readonly children?: ReactNode;
  /**
   * ms to wait, after the last component using a room unmounts, before leaving it — and after the
   * provider unmounts, before closing a bus it created. Covers StrictMode's unmount/remount and
   * route changes. Default 1000.
   */
  readonly gracePeriod?: number;
}

export interface EventBusProviderBusProps<E extends EventMap> extends CommonProps {
  /** A bus created with createEventBus (e.g. at module scope, `autoConnect: false` for SSR). */
  readonly bus: EventBus<E>;
  readonly options?: never;
  /** Connect the bus after mount if it is still idle (created with `autoConnect: false`). Default true. */
  readonly connect?: boolean;
}

export interface EventBusProviderOptionsProps extends CommonProps {
  readonly bus?: never;
  /** createEventBus options, read once: the provider creates the bus after mount and closes it on unmount. */
  readonly options: EventBusOptions;
  readonly connect?: never;
}

export type EventBusProviderProps<E extends EventMap = EventMap> =
  | EventBusProviderBusProps<E>
  | EventBusProviderOptionsProps;

export function EventBusProvider<E extends EventMap = EventMap>(props: EventBusProviderProps<E>): ReactNode {
  const { bus, options, children } = props;
  const gracePeriod = validGrace(props.gracePeriod);
  const connect = props.connect ?? true;
  // Pure to create (no bus yet), so StrictMode's double call of the initialiser leaks nothing.
  const [owned] = useState(() => (options === undefined ? null : ownedBus(options, gracePeriod)));
  const given = useMemo(
    () => (bus === undefined ? null : givenBus(bus as unknown as AnyBus, connect)),
    [bus, connect],
  );
  const holder = given ?? owned;
  if (holder === null) {
    throw new Error("<EventBusProvider> needs either a `bus` or `options` prop.");
  }
  useEffect(() => holder.acquire(), [holder]);
  const value = useMemo<BusContextValue>(() => ({ holder, gracePeriod }), [holder, gracePeriod]);
  return <EventBusContext.Provider value={value}>{children}</EventBusContext.Provider>;
}

function validGrace(value: number | undefined): number {
  if (value === undefined) return DEFAULT_GRACE_PERIOD;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new Error(`<EventBusProvider gracePeriod> must be a number of ms ≥ 0, got ${String(value)}.`);
  }
  return value;
}
