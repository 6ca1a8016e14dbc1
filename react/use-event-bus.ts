/**
 * useEventBus(pattern, handler?, { room?, enabled?, limit?, presence? }) → { last, events }
 *
 * Calls `handler` for each event whose type matches `pattern` (a Redis glob, as bus.subscribe)
 * and keeps the newest `limit` of them (default 50; 0 keeps none and never re-renders). One bus
 * subscription per hook instance, made after mount and kept across renders: the newest `handler`
 * is called without resubscribing. With `room`, only that room's events, and the hook holds the
 * room (joins it, shared with every other hook on that room; left after the provider's grace).
 *
 * Types: `useEventBus<PhotoEvents, "photo.processing.progress">("photo.processing.progress", …)`,
 * or bind the map once with createEventBusHooks<PhotoEvents>() and let the pattern be inferred.
 */
import { useEffect, useMemo } from "react";
import type {
  AnyEvents,
  BusEvent,
  EventHandler,
  EventMap,
  PatternOf,
  RegisteredEvents,
} from "../client/index.js";
import { useBusContext, useCurrentBus } from "./context.js";
import { DEFAULT_EVENT_LIMIT, type EventList, useEventList, useLatest } from "./hook-state.js";
import { checkHookOptions, USE_EVENT_BUS_KEYS } from "./option-keys.js";
import { holdRoom } from "./room-hold.js";

export interface UseEventBusOptions {
  /** Only this room's events; the hook joins the room while mounted. */
  readonly room?: string;
  /** With `room`: track presence in it (see useRoom). Default false. */
  readonly presence?: boolean;
  /** false: no subscription (and no room hold). Default true. */
  readonly enabled?: boolean;
  /** How many events `events` keeps, newest last. Default 50; 0 keeps none (handler only). */
  readonly limit?: number;
}

export type UseEventBusResult<E extends EventMap, P extends string> = EventList<BusEvent<E, P>>;

export function useEventBus<E extends EventMap = RegisteredEvents, P extends PatternOf<E> = PatternOf<E>>(
  pattern: P,
  handler?: EventHandler<E, P> | null,
  options: UseEventBusOptions = {},
): UseEventBusResult<E, P> {
  checkHookOptions("useEventBus options", options, USE_EVENT_BUS_KEYS);
  const context = useBusContext("useEventBus");
  const bus = useCurrentBus(context);
  const { room, presence = false, enabled = true, limit = DEFAULT_EVENT_LIMIT } = options;
  const handlerRef = useLatest(handler);
  const limitRef = useLatest(limit);
  const source = useMemo(() => ({ bus, pattern, room }), [bus, pattern, room]);
  const [list, append] = useEventList<BusEvent<E, P>>(source);
  const { gracePeriod } = context;

  useEffect(() => {
    if (bus === null || !enabled) return;
    const listener = (event: BusEvent<AnyEvents, string>): void => {
      const typed = event as unknown as BusEvent<E, P>;
      append(source, typed, limitRef.current);
      handlerRef.current?.(typed);
    };
    if (source.room === undefined) return bus.subscribe(source.pattern, listener);
    const hold = holdRoom(bus, source.room, { presence, gracePeriod });
    try {
      hold.on(source.pattern, listener);
    } catch (error) {
      hold.release(); // an invalid pattern: do not keep the room joined behind the error
      throw error;
    }
    return () => hold.release();
  }, [bus, source, enabled, presence, gracePeriod, append, handlerRef, limitRef]);

  return list;
}
