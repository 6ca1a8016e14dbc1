/**
 * useEventBusClient<E>() → the provider's bus, or null while none exists (during the server render,
 * and before the first effect of a provider that creates its bus from `options`; it re-renders
 * when the bus appears). Throws a clear error outside <EventBusProvider>.
 */
import type { AnyEvents, EventBus, EventMap } from "../client/index.js";
import { useBusContext, useCurrentBus } from "./context.js";

export function useEventBusClient<E extends EventMap = AnyEvents>(): EventBus<E> | null {
  const bus = useCurrentBus(useBusContext("useEventBusClient"));
  return bus as EventBus<E> | null;
}
