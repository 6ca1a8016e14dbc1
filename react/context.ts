/**
 * The provider's context and the two reads every hook starts with: the context (with a clear
 * error when there is no provider — checked before anything else is read from it) and the
 * current bus (an external store, so a bus created after mount re-renders its readers).
 */
import { createContext, useContext, useSyncExternalStore } from "react";
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

export function missingProvider(hook: string): Error {
  return new Error(
    `${hook}() must be used inside <EventBusProvider>: no provider was found above this component. ` +
      "Wrap your app (or this part of it) in <EventBusProvider bus={bus}> or " +
      "<EventBusProvider options={{ url, getToken }}>, from @shared-infra/event-bus/react.",
  );
}
