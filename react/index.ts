/**
 * @shared-infra/event-bus/react — React bindings over the client's store.
 */
export type { EventEnvelope, EventMap, PhotoEvents } from "../client/index.js";
export { EventBusError, isEventBusError } from "../client/index.js";
