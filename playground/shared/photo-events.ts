/**
 * The photo platform's events, as an example event map (and the one the playground uses).
 * Pass it as the type parameter of EventBusClient, createEventBus or the React hooks to get
 * `data` type-checked per event type.
 */
export interface Thumbnail {
  readonly size: "small" | "medium" | "large";
  readonly url: string;
  readonly width: number;
  readonly height: number;
}

export interface PhotoEvents {
  "photo.uploaded": {
    readonly photoId: string;
    readonly userId: string;
    readonly filename: string;
    readonly size: number;
    readonly uploadedAt: string;
  };
  "photo.processing.started": {
    readonly photoId: string;
    readonly userId: string;
    readonly startedAt: string;
  };
  "photo.processing.progress": {
    readonly photoId: string;
    readonly userId?: string;
    /** 0-100 */
    readonly progress: number;
    readonly stage: string;
  };
  "photo.processing.completed": {
    readonly photoId: string;
    readonly userId: string;
    readonly thumbnails: readonly Thumbnail[] | readonly string[];
    readonly completedAt: string;
  };
  "photo.processing.failed": {
    readonly photoId: string;
    readonly userId: string;
    readonly error: { readonly code: string; readonly message: string };
    readonly failedAt: string;
  };
  "batch.processing.completed": {
    readonly batchId: string;
    readonly userId: string;
    readonly photoIds: readonly string[];
  };
  "system.health.update": {
    readonly status: "healthy" | "degraded" | "unhealthy";
    readonly message?: string;
  };
  "system.maintenance": {
    readonly scheduled: string;
    readonly duration: string;
    readonly message: string;
  };
  "notification.new": {
    readonly title: string;
    readonly message: string;
    readonly photoId?: string;
    readonly type?: string;
  };
  "user.registered": { readonly userId: string; readonly email: string };
  "comment.added": { readonly photoId: string; readonly text: string; readonly author: string };
}
