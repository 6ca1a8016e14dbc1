/**
 * One app-level declaration of the event map, as an application writes it (docs: README "Typed
 * events"). Everything in this folder (and the README's examples) is checked with it in force.
 */
import type { PhotoEvents } from "../../../playground/shared/photo-events.js";

declare module "@shared-infra/event-bus/protocol" {
  interface Register {
    events: PhotoEvents;
  }
}
