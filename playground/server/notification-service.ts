/**
 * The demo "notification service" (seed 000): subscribed to completion and failure, it sends the
 * owner a `notification.new` on their user channel that names the photo (its file name, looked up
 * from the photo service — here the in-process store — since the events carry only the id).
 */
import type { EventBusClient } from "@shared-infra/event-bus/server";
import type { PlaygroundEvents } from "../shared/playground-events.js";

/** The photo's file name, or undefined when the photo is unknown (then the id is used). */
export type DescribePhoto = (photoId: string) => string | undefined;

export async function startNotificationService(
  bus: EventBusClient<PlaygroundEvents>,
  describe: DescribePhoto,
): Promise<() => Promise<void>> {
  const name = (photoId: string) => `"${describe(photoId) ?? photoId}"`;
  const completed = await bus.subscribe(
    "photo.processing.completed",
    async (event) => {
      const { photoId, userId } = event.data;
      await bus.publishToUser(userId, "notification.new", {
        type: "photo_processed",
        title: `Your photo ${name(photoId)} is ready!`,
        message: "Its small, medium and large thumbnails are in My photos.",
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
        title: `Your photo ${name(photoId)} could not be processed`,
        message: error.message,
        photoId,
      });
    },
    { name: "notify-failed" },
  );
  return async () => {
    await Promise.all([completed.unsubscribe(), failed.unsubscribe()]);
  };
}
