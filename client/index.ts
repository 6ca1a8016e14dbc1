/**
 * @shared-infra/event-bus/client — the browser SDK (also runs in Node).
 * Public API only; the implementation lives in this folder's other modules.
 */

export type { BackoffOptions } from "../common/backoff.js";
export type { Clock } from "../common/clock.js";
export type {
  AnyEvents,
  EnvelopeForPattern,
  EnvelopeOf,
  ErrorCode,
  EventData,
  EventEnvelope,
  EventMap,
  EventMetadata,
  EventType,
  GlobPattern,
  PatternOf,
  Register,
  RegisteredEvents,
  StreamPosition,
  WireError,
} from "../protocol/index.js";
export { EventBusError, isEventBusError } from "../protocol/index.js";
export type { ConnectionStatus, StatusChange, StatusReason, StatusReasonCode } from "./connection-state.js";
export { createEventBus } from "./create-event-bus.js";
export { validateEventBusOptions } from "./options.js";
export type { OutboxOptions, OverflowPolicy, PublishAck } from "./outbox-options.js";
export type {
  LocalStorageOutboxOptions,
  OutboxRecord,
  OutboxStorage,
  StorageLike,
} from "./outbox-storage.js";
export { localStorageOutbox, memoryOutbox } from "./outbox-storage.js";
export type { Member } from "./presence.js";
export type { DeliveredEvent } from "./router.js";
export { type BusState, INITIAL_BUS_STATE, type ReadonlyStore, type RoomState } from "./store.js";
export type { GetToken } from "./token.js";
export type {
  BusEvent,
  EventBus,
  EventBusEvents,
  EventBusOptions,
  EventHandler,
  GapInfo,
  JoinOptions,
  PublishOptions,
  RecoveredInfo,
  RoomHandle,
  ShareAcrossTabsOptions,
  ShareTabs,
  SocketIoClient,
} from "./types.js";
