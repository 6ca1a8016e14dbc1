/**
 * The provider's context and the reads every hook starts with: the context (with a clear error when
 * there is no provider — checked before anything else is read from it), the current bus (an
 * external store, so a bus created after mount re-renders its readers), and the store hooks select
 * from — the bus's, or, while there is no bus (server render, before an owned bus exists), a
 * constant store of the initial state, so selectors keep their references.
 */

import { createContext, useContext, useSyncExternalStore } from "react";
import {
  type BusState,
  type EventBus,
  type EventMap,
  INITIAL_BUS_STATE,
  type Member,
  type ReadonlyStore,
  type RegisteredEvents,
} from "../client/index.js";
import { HINTS_INCLUDED } from "../protocol/build-mode.js";
import type { AnyBus, BusHolder } from "./bus-holder.js";

export interface BusContextValue {
  readonly holder: BusHolder;
  /** ms a room is kept after its last hook unmounts (StrictMode, route changes). */
  readonly gracePeriod: number;
}

export const EventBusContext = createContext<BusContextValue | null>(null);
EventBusContext.displayName = "EventBusContext";

/** The provider's context; throws a helpful error naming the hook when there is no provider. */
export function useBusContext(hook: string): BusContextValue {
  const value = useContext(EventBusContext);
  if (value === null) throw missingProvider(hook);
  return value;
}

/** The bus hooks use now, or null (server render, or before an owned bus was created). */
export function useCurrentBus(value: BusContextValue): AnyBus | null {
  const { holder } = value;
  return useSyncExternalStore(holder.subscribe, holder.get, holder.getServer);
}

/**
 * useEventBusClient<E>() → the provider's bus, or null while none exists (during the server render,
 * and before the first effect of a provider that creates its bus from `options`; it re-renders
 * when the bus appears). Throws a clear error outside <EventBusProvider>.
 */
export function useEventBusClient<E extends EventMap = RegisteredEvents>(): EventBus<E> | null {
  const bus = useCurrentBus(useBusContext("useEventBusClient"));
  return bus as EventBus<E> | null;
}

/** What hooks read while there is no bus: the initial state, as a store that never changes. */
export const IDLE_STORE: ReadonlyStore<BusState> = Object.freeze({
  getState: () => INITIAL_BUS_STATE,
  getInitialState: () => INITIAL_BUS_STATE,
  subscribe: () => () => {},
});

export const NO_MEMBERS: readonly Member[] = Object.freeze([]);

/** The store a hook selects from: the bus's, or IDLE_STORE without a bus. */
export function storeOf(bus: AnyBus | null): ReadonlyStore<BusState> {
  return bus?.store ?? IDLE_STORE;
}

export function missingProvider(hook: string): Error {
  return new Error(
    `${hook}() must be used inside <EventBusProvider>: no provider was found above this component.` +
      // What to do is developer prose: not in production browser bundles (protocol/build-mode.ts).
      (HINTS_INCLUDED
        ? " Wrap your app (or this part of it) in <EventBusProvider bus={bus}> or " +
          "<EventBusProvider options={{ url, getToken }}>, from @shared-infra/event-bus/react."
        : ""),
  );
}
