/**
 * The demo "notification service" (seed 000): subscribed to completion and failure, it sends the
 * owner a `notification.new` on their user channel.
 */
import type { EventBusClient } from "@shared-infra/event-bus/server";
import type { PhotoEvents } from "../shared/photo-events.js";

export async function startNotificationService(
  bus: EventBusClient<PhotoEvents>,
): Promise<() => Promise<void>> {
  const completed = await bus.subscribe(
    "photo.processing.completed",
    async (event) => {
      const { photoId, userId } = event.data;
      await bus.publishToUser(userId, "notification.new", {
        type: "photo_processed",
        title: "Your photo is ready!",
        message: "Photo processing completed successfully.",
        photoId,
      });
    },
    { name: "notify-completed" },
  );
  const failed = await bus.subscribe(
    "photo.processing.failed",
    async (event) => {
      const { photoId, userId, error } = event.data;
      await bus.publishToUser(userId, "notification.new", {
        type: "photo_processing_failed",
        title: "Photo processing failed",
        message: `Failed to process your photo: ${error.message}`,
        photoId,
      });
    },
    { name: "notify-failed" },
  );
  return async () => {
    await Promise.all([completed.unsubscribe(), failed.unsubscribe()]);
  };
}
