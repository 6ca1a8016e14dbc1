/**
 * Seed 000's usage snippets ("Common Usage Patterns", "Configuration Examples", "Monitoring &
 * Debugging", "Getting Started"), copied as written on the package's ready-made `eventBus`. Each
 * section is a function the test runs; helpers the seed leaves undefined are parameters.
 * The "Advanced Configuration" snippet is seed-config.ts's (it fails at once, with the fix).
 */
import { eventBus } from "@shared-infra/event-bus";

export interface PipelineHelpers {
  processImage(photoId: string): Promise<void>;
  generateThumbnails(photoId: string): Promise<string[]>;
}

/** "1. Photo Processing Pipeline": the worker part (subscribe), then the API part (publish). */
export async function photoPipelineWorker({ processImage, generateThumbnails }: PipelineHelpers) {
  // Worker Service - Handle processing
  await eventBus.subscribe("photo.uploaded", async (event) => {
    // biome-ignore lint/correctness/noUnusedVariables: the seed's line, as written (userId unused)
    const { photoId, userId } = event.data;

    // Update progress
    await eventBus.publish("photo.processing.progress", {
      photoId,
      progress: 25,
      stage: "validation",
    });

    // Process image
    await processImage(photoId);

    // Send completion
    await eventBus.publish("photo.processing.completed", {
      photoId,
      thumbnails: await generateThumbnails(photoId),
    });
  });
}

export async function photoPipelineApi() {
  // API Service - Trigger processing
  await eventBus.publish("photo.uploaded", {
    photoId: "123",
    userId: "user-456",
    filename: "vacation.jpg",
  });
}

/** "2. Real-time User Notifications". */
export async function userNotifications() {
  // Send to specific user
  await eventBus.publishToUser("user-123", "notification.new", {
    title: "Photo processed",
    message: "Your vacation photo is ready!",
    photoId: "456",
  });

  // Send to user's current session room
  await eventBus.publishToRoom("session:abc123", "notification.new", {
    title: "Welcome back!",
    message: "We missed you!",
  });
}

/** "3. System-wide Broadcasts". */
export async function systemBroadcasts() {
  // Send to all connected clients
  await eventBus.broadcast("system.maintenance", {
    scheduled: "2024-01-15T02:00:00Z",
    duration: "30 minutes",
    message: "Routine maintenance scheduled",
  });

  // Send to all services
  await eventBus.publish("system.config.updated", {
    configKey: "upload.limits",
    newValue: "50MB",
    updatedBy: "admin-789",
  });
}

/** "Basic Setup": "That's it! The library handles connection automatically". */
export async function basicSetup() {
  const result = await eventBus.publish("user.registered", {
    userId: "123",
    email: "user@example.com",
  });
  return result;
}

/** "Check Service Health" (console.log goes to `log`). */
export async function checkServiceHealth(log: (...args: unknown[]) => void) {
  const console = { log };
  const health = await eventBus.healthCheck();
  console.log("Event Bus Health:", health.status); // 'healthy', 'degraded', 'unhealthy'

  const stats = await eventBus.getStats();
  console.log("Events published:", stats.eventsPublished);
  console.log("Active subscriptions:", stats.activeSubscriptions);
}

/** "Debug Event Flow". */
export async function debugEventFlow() {
  // Add trace ID to track events through the system
  await eventBus.publish(
    "photo.uploaded",
    {
      photoId: "123",
      userId: "user-456",
    },
    {
      traceId: "trace-abc-123",
      source: "photo-api-service",
    },
  );
}

/** "2. Start using it". */
export async function startUsingIt(log: (...args: unknown[]) => void) {
  const console = { log };
  // Publish events
  await eventBus.publish("user.registered", { userId: "123" });

  // Subscribe to events
  await eventBus.subscribe("user.*", (event) => {
    console.log("User event received:", event);
  });

  // Send real-time updates to users
  await eventBus.sendToUser("user-123", "notification.new", {
    message: "Your photo is ready!",
  });
}
