/**
 * @shared-infra/event-bus/server — the backend library for Node services.
 */
export type {
  AnyEvents,
  EnvelopeForPattern,
  EnvelopeOf,
  ErrorCode,
  EventBusClaims,
  EventData,
  EventEnvelope,
  EventMap,
  EventMetadata,
  EventType,
  PhotoEvents,
} from "../protocol/index.js";
export { channelNames, createId, EventBusError, isEventBusError } from "../protocol/index.js";
