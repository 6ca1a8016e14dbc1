/**
 * @shared-infra/event-bus/client — the browser SDK (also runs in Node).
 * Public API only; the implementation lives in this folder's other modules.
 */
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
  PhotoEvents,
  StreamPosition,
  Thumbnail,
  WireError,
} from "../protocol/index.js";
export { compileGlob, EventBusError, globMatch, isEventBusError } from "../protocol/index.js";
