/**
 * Seed 001's ("Event Bus Service - Simplified Overview") browser snippet, and the frontend
 * snippets of seeds 000 and 001, on this package's browser SDK. The room form
 * `subscribe("photo:123", …)` is copied as written: it fails at once (a compile error, and at run
 * time INVALID_PATTERN whose hint is `bus.room("photo:123")`); the adjusted form follows it.
 * The seeds' frontends talk socket.io to an event-bus server this package replaces
 * (`io('https://events…')`, `socket.on(type, …)`): they become createEventBus and
 * `subscribe(type, …)`, and the fields are under `event.data`.
 */
import type { EventBus } from "@shared-infra/event-bus/client";

export interface Screen {
  showProgressBar(): void;
  showThumbnails(thumbnails: unknown): void;
  showError(error: unknown): void;
  updateProgressBar(photoId: string, progress: number): void;
}

/** Seed 001, "Real-Time Photo Updates", as written. */
export function realTimePhotoUpdates(
  eventBus: EventBus,
  { showProgressBar, showThumbnails, showError }: Screen,
) {
  // Clients get instant updates about their photos
  // @ts-expect-error — a room's name is not an event-type pattern: use eventBus.room("photo:123")
  eventBus.subscribe("photo:123", (event) => {
    switch (event.type) {
      case "photo.processing.started":
        showProgressBar();
        break;
      case "photo.processing.completed":
        showThumbnails(event.data.thumbnails);
        break;
      case "photo.processing.failed":
        showError(event.data.error);
        break;
    }
  });
}

/** The same, adjusted: the photo's room, every event type in it. */
export function realTimePhotoUpdatesAdjusted(
  eventBus: EventBus,
  { showProgressBar, showThumbnails, showError }: Screen,
) {
  // Clients get instant updates about their photos
  return eventBus.room("photo:123").on("*", (event) => {
    switch (event.type) {
      case "photo.processing.started":
        showProgressBar();
        break;
      case "photo.processing.completed":
        showThumbnails(event.data.thumbnails);
        break;
      case "photo.processing.failed":
        showError(event.data.error);
        break;
    }
  });
}

/** Seeds 000 and 001, "Frontend Client": `socket.on(type, …)` → `subscribe(type, …)`, fields in `data`. */
export function frontendClient(eventBus: EventBus, { updateProgressBar, showThumbnails }: Screen) {
  eventBus.subscribe("photo.processing.progress", (event) => {
    updateProgressBar(event.data.photoId, event.data.progress);
  });

  eventBus.subscribe("photo.processing.completed", (event) => {
    showThumbnails(event.data.thumbnails);
  });
}
