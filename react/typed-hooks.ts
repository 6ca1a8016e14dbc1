/**
 * createEventBusHooks<Events>(): the hooks with your event map bound once, so patterns stay
 * inferred — `useEventBus("photo.processing.progress", (e) => e.data.progress)` — instead of
 * spelling both type arguments on every call (`useEventBus<PhotoEvents, "photo.processing.progress">`).
 * The returned functions are the same hooks; only their types differ.
 *
 *   export const { useEventBus, useRoom, usePublish, useEventBusClient } = createEventBusHooks<PhotoEvents>();
 */
import type { EventBus, EventHandler, EventMap, PatternOf } from "../client/index.js";
import { useEventBusClient } from "./context.js";
import { type UseEventBusOptions, type UseEventBusResult, useEventBus } from "./use-event-bus.js";
import { type Publish, usePublish } from "./use-publish.js";
import { type UseRoomOptions, type UseRoomResult, useRoom } from "./use-room.js";

export interface EventBusHooks<E extends EventMap> {
  useEventBus<P extends PatternOf<E>>(
    pattern: P,
    handler?: EventHandler<E, P> | null,
    options?: UseEventBusOptions,
  ): UseEventBusResult<E, P>;
  useRoom(room: string, options?: UseRoomOptions): UseRoomResult<E>;
  usePublish(): Publish<E>;
  useEventBusClient(): EventBus<E> | null;
}

export function createEventBusHooks<E extends EventMap>(): EventBusHooks<E> {
  return {
    useEventBus: (pattern, handler, options) => useEventBus<E, typeof pattern>(pattern, handler, options),
    useRoom: (room, options) => useRoom<E>(room, options),
    usePublish: () => usePublish<E>(),
    useEventBusClient: () => useEventBusClient<E>(),
  };
}
