/**
 * usePublish() → publish(type, data, { room, traceId? }): a stable function (the same one for the
 * provider's lifetime) that publishes through the current bus — typed by the event map:
 * `usePublish<PhotoEvents>()("comment.added", { photoId, text, author }, { room })`.
 * Resolves on the relay's acknowledgement; rejects with a coded EventBusError (catch it).
 * Before a bus exists (server render, before the provider's first effect) it rejects with NOT_CONNECTED.
 */
import { useCallback } from "react";
import {
  type EventBus,
  EventBusError,
  type EventData,
  type EventMap,
  type EventType,
  type PublishAck,
  type PublishOptions,
  type RegisteredEvents,
} from "../client/index.js";
import { useBusContext } from "./context.js";

export type Publish<E extends EventMap> = EventBus<E>["publish"];

export function usePublish<E extends EventMap = RegisteredEvents>(): Publish<E> {
  const { holder } = useBusContext("usePublish");
  return useCallback<Publish<E>>(
    (type, data, options) => publishVia(holder.get() as EventBus<E> | null, type, data, options),
    [holder],
  );
}

export function publishVia<E extends EventMap, K extends EventType<E>>(
  bus: EventBus<E> | null,
  type: K,
  data: EventData<E, K>,
  options: PublishOptions,
): Promise<PublishAck> {
  if (bus === null) {
    return Promise.reject(
      new EventBusError(
        "NOT_CONNECTED",
        "The event bus does not exist yet (server render, or before mount).",
      ),
    );
  }
  return bus.publish(type, data, options);
}
