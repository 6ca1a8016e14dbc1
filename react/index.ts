/**
 * @shared-infra/event-bus/react — React bindings over the client's store (React 18 and 19).
 * Public API only; see docs/react.md.
 */
export type {
  AnyEvents,
  BusEvent,
  BusState,
  ConnectionStatus,
  EventBus,
  EventBusEvents,
  EventBusOptions,
  EventEnvelope,
  EventMap,
  GapInfo,
  Member,
  PatternOf,
  PublishAck,
  PublishOptions,
  Register,
  RegisteredEvents,
  RoomState,
} from "../client/index.js";
export { EventBusError, isEventBusError } from "../client/index.js";
export { useEventBusClient } from "./context.js";
export { DEFAULT_EVENT_LIMIT, type EventList } from "./hook-state.js";
export {
  DEFAULT_GRACE_PERIOD,
  EventBusProvider,
  type EventBusProviderBusProps,
  type EventBusProviderOptionsProps,
  type EventBusProviderProps,
} from "./provider.js";
export { createEventBusHooks, type EventBusHooks } from "./typed-hooks.js";
export { type UseConnectionResult, useConnection } from "./use-connection.js";
export { type UseEventBusOptions, type UseEventBusResult, useEventBus } from "./use-event-bus.js";
export { useEventBusListener } from "./use-event-bus-listener.js";
export { type Publish, usePublish } from "./use-publish.js";
export { type RoomStatus, type UseRoomOptions, type UseRoomResult, useRoom } from "./use-room.js";
