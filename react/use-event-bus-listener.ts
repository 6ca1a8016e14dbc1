/**
 * useEventBusListener(event, listener) — listens to the bus's own events ('status', 'error',
 * 'recovered', 'gap') while mounted: e.g. refetch state after a gap on the user's channel.
 * Subscribed once per bus (not per render); the newest `listener` is called. Does nothing while
 * there is no bus (server render, before an owned bus exists).
 *
 *   useEventBusListener("gap", (gap) => { if (gap.room === undefined) refetch(); });
 */
import { useEffect } from "react";
import type { EventBusEvents } from "../client/index.js";
import { useBusContext, useCurrentBus } from "./context.js";
import { useLatest } from "./hook-state.js";

export function useEventBusListener<K extends keyof EventBusEvents>(
  event: K,
  listener: EventBusEvents[K] | null | undefined,
): void {
  const bus = useCurrentBus(useBusContext("useEventBusListener"));
  const listenerRef = useLatest(listener);
  useEffect(() => {
    if (bus === null) return;
    const forward = (...args: Parameters<EventBusEvents[K]>): void => {
      const current = listenerRef.current as
        | ((...a: Parameters<EventBusEvents[K]>) => void)
        | null
        | undefined;
      current?.(...args);
    };
    return bus.on(event, forward as EventBusEvents[K]);
  }, [bus, event, listenerRef]);
}
