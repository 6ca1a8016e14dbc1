/**
 * The demo "photo-processing worker" (seed 000's flow): subscribed to `photo.uploaded`, it
 * publishes started → progress (one event per stage) → completed with real thumbnails, or failed
 * for a configurable share of photos (and always for files named *fail*).
 *
 * Privacy: started/progress/failed go to the owner's user channel only (every device of the
 * owner); completed also goes to the photo's room `photo:<photoId>` (whoever watches the photo
 * sees its thumbnails appear) and to the `photo.processing.completed` event type for backends.
 * The public gallery learns of a finished photo through a `gallery.photo.added` broadcast (file
 * name and thumbnails only, what GET /api/photos/gallery shows anyway).
 */
import type { EventBusClient } from "@shared-infra/event-bus/server";
import type { PhotoEvents } from "../shared/photo-events.js";
import type { PlaygroundEvents } from "../shared/playground-events.js";
import type { PhotoStore } from "./photo-store.js";
import { renderThumbnail, type ThumbnailSize } from "./thumbnails.js";

export interface WorkerOptions {
  /** Time per processing stage, ms (the demo is slow on purpose so people can watch). */
  readonly stageDelayMs: number;
  /** Share of photos that fail, 0-1. */
  readonly failureRate: number;
  /** Random source for the failure draw. */
  readonly random?: () => number;
  /** Run as one replica of this consumer group (each upload goes to one replica). */
  readonly group?: string;
}

type Thumbnail = Exclude<PhotoEvents["photo.processing.completed"]["thumbnails"][number], string>;

const STAGES: readonly {
  readonly stage: string;
  readonly progress: number;
  readonly size?: ThumbnailSize;
}[] = [
  { stage: "validating", progress: 10 },
  { stage: "decoding", progress: 25 },
  { stage: "resizing small", progress: 45, size: "small" },
  { stage: "resizing medium", progress: 65, size: "medium" },
  { stage: "resizing large", progress: 85, size: "large" },
  { stage: "storing", progress: 100 },
];

export async function startPhotoWorker(
  bus: EventBusClient<PlaygroundEvents>,
  store: PhotoStore,
  options: WorkerOptions,
): Promise<() => Promise<void>> {
  const subscription = await bus.subscribe(
    "photo.uploaded",
    async (event) => {
      await processPhoto(bus, store, event.data.photoId, event.metadata.traceId, options);
    },
    {
      name: "photo-worker",
      retryOnError: false,
      timeout: 120_000,
      ...(options.group !== undefined && { group: options.group, concurrency: 2 }),
    },
  );
  return async () => {
    await subscription.unsubscribe();
  };
}

async function processPhoto(
  bus: EventBusClient<PlaygroundEvents>,
  store: PhotoStore,
  photoId: string,
  traceId: string | undefined,
  options: WorkerOptions,
): Promise<void> {
  const photo = store.get(photoId);
  const image = store.image(photoId);
  if (!photo || !image) return;
  const userId = photo.ownerId;
  // Every event about the photo names it as its aggregate: the event store indexes that.
  const trace = { aggregateId: photoId, ...(traceId ? { traceId } : {}) };
  const room = `photo:${photoId}`;
  store.update(photoId, { status: "processing", stage: "started", progress: 0 });
  await bus.publishToUser(userId, "photo.processing.started", { photoId, userId, startedAt: now() }, trace);
  const rendered = new Map<ThumbnailSize, { width: number; height: number }>();
  const fails =
    photo.filename.toLowerCase().includes("fail") || (options.random ?? Math.random)() < options.failureRate;
  try {
    for (const step of STAGES) {
      await delay(options.stageDelayMs);
      if (fails && step.progress >= 65)
        throw new Error("The image decoder ran out of patience (simulated failure).");
      if (step.size) {
        const thumbnail = await renderThumbnail(image, step.size);
        store.setThumbnail(photoId, step.size, thumbnail.bytes);
        rendered.set(step.size, thumbnail);
      }
      store.update(photoId, { stage: step.stage, progress: step.progress });
      await bus.publishToUser(
        userId,
        "photo.processing.progress",
        { photoId, userId, progress: step.progress, stage: step.stage },
        trace,
      );
    }
  } catch (error) {
    const failure = {
      code: "PROCESSING_FAILED",
      message: error instanceof Error ? error.message : String(error),
    };
    store.update(photoId, { status: "failed", stage: "failed", error: failure });
    const data = { photoId, userId, error: failure, failedAt: now() };
    await bus.publishToUser(userId, "photo.processing.failed", data, trace);
    await bus.publish("photo.processing.failed", data, { ...trace, userId });
    return;
  }
  const thumbnails = thumbnailsOf(photoId, rendered);
  store.update(photoId, { status: "completed", stage: "done", thumbnails });
  const data = { photoId, userId, thumbnails, completedAt: now() };
  await bus.publishToUser(userId, "photo.processing.completed", data, trace);
  await bus.publishToRoom(room, "photo.processing.completed", data, trace);
  await bus.publish("photo.processing.completed", data, { ...trace, userId, room });
  await bus.broadcast(
    "gallery.photo.added",
    { photoId, ownerId: userId, filename: photo.filename, thumbnails, completedAt: data.completedAt },
    trace,
  );
}

function thumbnailsOf(
  photoId: string,
  rendered: ReadonlyMap<ThumbnailSize, { width: number; height: number }>,
): Thumbnail[] {
  return (["small", "medium", "large"] as const).map((size) => ({
    size,
    url: `/api/photos/${encodeURIComponent(photoId)}/thumbnails/${size}`,
    width: rendered.get(size)?.width ?? 0,
    height: rendered.get(size)?.height ?? 0,
  }));
}

const now = () => new Date().toISOString();
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
