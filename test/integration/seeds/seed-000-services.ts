/**
 * Seed 000's ("Event Bus Service - Usage Guide") backend snippets, copied as written. Adjustments,
 * all listed in docs/backend.md "Coming from the seed API":
 *  - each service is a function (the test starts it), and its helpers (processUpload,
 *    processPhoto, sendNotification, …) are parameters: the seed leaves them undefined;
 *  - the API service uses the package's ready-made `eventBus` (configured from the environment:
 *    EVENT_BUS_REDIS_URL); the worker and notification services run in this one test process, so
 *    each gets its own client (`eventBus` parameter), as separate processes would have;
 *  - `import { jobCoordinator } from '@shared-infra/job-queue'` is dropped: another package, unused.
 */
import { type EventBusClient, eventBus } from "@shared-infra/event-bus";

export interface Upload {
  readonly file: { readonly originalname: string; readonly size: number };
  readonly user: { readonly id: string };
}
export interface Reply {
  json(body: unknown): void;
}
export interface App {
  post(path: string, handler: (req: Upload, res: Reply) => Promise<void>): void;
}
export interface Helpers {
  processUpload(file: Upload["file"], userId: string): Promise<{ id: string }>;
  processPhoto(photoId: string): Promise<void>;
  sendNotification(userId: string | undefined, notification: Record<string, unknown>): Promise<void>;
  /** Where `console.log` of the snippets goes (the test reads it). */
  log(...args: unknown[]): void;
}

/** "In your photo-upload API service" (uses the default `eventBus`). */
export function apiService(app: App, { processUpload }: Helpers): void {
  // When user uploads a photo
  app.post("/photos/upload", async (req, res) => {
    const file = req.file;
    const userId = req.user.id;

    // Process the upload
    const photo = await processUpload(file, userId);

    // Publish event to notify the system
    await eventBus.publish("photo.uploaded", {
      photoId: photo.id,
      userId: userId,
      filename: file.originalname,
      size: file.size,
      uploadedAt: new Date().toISOString(),
    });

    res.json({
      success: true,
      photoId: photo.id,
      message: "Upload received - processing started",
    });
  });
}

/** "In your photo-processing worker". */
export async function workerService(eventBus: EventBusClient, { processPhoto, log }: Helpers): Promise<void> {
  const console = { log };
  // Subscribe to photo upload events
  await eventBus.subscribe("photo.uploaded", async (event) => {
    const { photoId, userId } = event.data;

    // Send processing started event
    await eventBus.publish("photo.processing.started", {
      photoId,
      userId,
      startedAt: new Date().toISOString(),
    });

    // Process the photo
    await processPhoto(photoId);

    // Send completion event
    await eventBus.publish("photo.processing.completed", {
      photoId,
      userId,
      thumbnails: ["small", "medium", "large"],
      completedAt: new Date().toISOString(),
    });
  });

  // Subscribe to specific user events
  await eventBus.subscribe("user.*", async (event) => {
    // Handle all user-related events
    console.log(`User event: ${event.type}`, event.data);
  });
}

/** "In your notification service". */
export async function notificationService(
  eventBus: EventBusClient,
  { sendNotification }: Helpers,
): Promise<void> {
  // Subscribe to important events
  await eventBus.subscribe("photo.processing.completed", async (event) => {
    const { photoId, userId } = event.data;

    // Send notification to user
    await sendNotification(userId, {
      type: "photo_processed",
      title: "Your photo is ready!",
      message: "Photo processing completed successfully",
      photoId: photoId,
    });
  });

  await eventBus.subscribe("photo.processing.failed", async (event) => {
    const { photoId, userId, error } = event.data;

    // Send error notification
    await sendNotification(userId, {
      type: "photo_processing_failed",
      title: "Photo processing failed",
      message: `Failed to process your photo: ${error.message}`,
      photoId: photoId,
    });
  });
}
