/**
 * The photo cards' state: a snapshot from the demo backend (on start and after a gap) merged with
 * live events. Pure, so the same reducer serves every card and is easy to reason about.
 */
import type { EventEnvelope } from "@shared-infra/event-bus/client";
import type { PhotoEvents } from "../shared/photo-events.js";
import type { PhotoState } from "./api.js";

export type PhotosState = Readonly<Record<string, PhotoState>>;

type PhotoEventType =
  | "photo.processing.started"
  | "photo.processing.progress"
  | "photo.processing.completed"
  | "photo.processing.failed";

export type PhotoAction =
  | { readonly kind: "snapshot"; readonly photos: readonly PhotoState[] }
  | {
      readonly kind: "uploaded";
      readonly photoId: string;
      readonly ownerId: string;
      readonly filename: string;
    }
  | { readonly kind: "event"; readonly event: EventEnvelope<PhotoEventType, PhotoEvents[PhotoEventType]> };

export function photosReducer(state: PhotosState, action: PhotoAction): PhotosState {
  switch (action.kind) {
    case "snapshot":
      return Object.fromEntries(action.photos.map((p) => [p.photoId, p]));
    case "uploaded": {
      const current = state[action.photoId] ?? blank(action.photoId, action.ownerId);
      return { ...state, [action.photoId]: { ...current, filename: action.filename } };
    }
    case "event":
      return applyEvent(state, action.event);
  }
}

function applyEvent(
  state: PhotosState,
  event: EventEnvelope<PhotoEventType, PhotoEvents[PhotoEventType]>,
): PhotosState {
  const photoId = event.data.photoId;
  // An event may beat the upload's HTTP answer: start the card from the event.
  const current = state[photoId] ?? blank(photoId, event.metadata.userId ?? "");
  if (current.status === "completed" || current.status === "failed") return state;
  let next: PhotoState = current;
  switch (event.type) {
    case "photo.processing.started":
      next = { ...current, status: "processing", stage: "started" };
      break;
    case "photo.processing.progress": {
      const data = event.data as PhotoEvents["photo.processing.progress"];
      if (data.progress < current.progress) return state;
      next = { ...current, status: "processing", progress: data.progress, stage: data.stage };
      break;
    }
    case "photo.processing.completed": {
      const data = event.data as PhotoEvents["photo.processing.completed"];
      const thumbnails = data.thumbnails.filter(
        (t): t is PhotoState["thumbnails"][number] => typeof t !== "string",
      );
      next = { ...current, status: "completed", progress: 100, stage: "done", thumbnails };
      break;
    }
    case "photo.processing.failed": {
      const data = event.data as PhotoEvents["photo.processing.failed"];
      next = { ...current, status: "failed", stage: "failed", error: data.error };
      break;
    }
  }
  return { ...state, [photoId]: next };
}

function blank(photoId: string, ownerId: string): PhotoState {
  return {
    photoId,
    ownerId,
    filename: "",
    size: 0,
    uploadedAt: new Date().toISOString(),
    status: "uploaded",
    progress: 0,
    stage: "uploaded",
    thumbnails: [],
  };
}

/** Newest first. */
export function sortedPhotos(state: PhotosState): PhotoState[] {
  return Object.values(state).sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt));
}
