/**
 * The playground's event map: the photo platform's `PhotoEvents` plus the one event only this demo
 * needs. An app adds its own event types the same way (an interface extending the map). Shared by
 * the React app and the demo backend (playground/server), so both sides type the same data.
 */
import type { PhotoEvents, Thumbnail } from "./photo-events.js";

export interface PlaygroundEvents extends PhotoEvents {
  /**
   * Broadcast by the photo worker when a photo finished: the public gallery (and so every user's
   * room picker) gained a photo. Failed photos are not announced.
   */
  "gallery.photo.added": {
    readonly photoId: string;
    readonly ownerId: string;
    readonly filename: string;
    readonly thumbnails: readonly Thumbnail[];
    readonly completedAt: string;
  };
}
