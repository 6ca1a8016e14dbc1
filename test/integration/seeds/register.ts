/**
 * The seeds' events, registered once as an app does (README "Typed events"): every snippet in
 * this folder is type-checked against it. One map serves all the seed documents, so where two
 * snippets send different fields for one type (seed 000's progress has `stage`, seed 001's
 * `currentStage`), the field is optional — what an app merging those services would declare.
 */
export interface SeedEvents {
  "photo.uploaded": {
    readonly photoId: string;
    readonly userId: string;
    readonly filename?: string;
    readonly size?: number;
    readonly uploadedAt?: string;
  };
  "photo.processing.started": {
    readonly photoId: string;
    readonly userId?: string;
    readonly startedAt?: string;
    readonly jobId?: string;
  };
  "photo.processing.progress": {
    readonly photoId: string;
    readonly progress: number;
    readonly stage?: string;
    readonly currentStage?: string;
  };
  "photo.processing.completed": {
    readonly photoId: string;
    readonly userId?: string;
    readonly thumbnails?: readonly string[];
    readonly completedAt?: string;
    readonly result?: unknown;
  };
  "photo.processing.failed": {
    readonly photoId: string;
    readonly userId: string;
    readonly error: { readonly message: string };
  };
  "user.registered": { readonly userId: string; readonly email?: string };
  "user.deleted": { readonly userId: string };
  "notification.new": { readonly title?: string; readonly message: string; readonly photoId?: string };
  "system.maintenance": { readonly scheduled: string; readonly duration: string; readonly message: string };
  "system.config.updated": {
    readonly configKey: string;
    readonly newValue: string;
    readonly updatedBy: string;
  };
  "system.health.update": { readonly status: "healthy" | "degraded" | "unhealthy" };
  "batch.processing.completed": { readonly batchId: string };
}

declare module "@shared-infra/event-bus/protocol" {
  interface Register {
    events: SeedEvents;
  }
}
