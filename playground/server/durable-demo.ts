/**
 * The playground's durable side (issue 19): the photo worker runs as two replicas in one consumer
 * group ("photo-worker": each upload is processed by one of them, and an upload made while both are
 * busy or restarting waits in the group's stream), and every service writes the events it
 * publishes to one event store — PostgreSQL when EVENT_BUS_STORE_URL is set, else a bounded
 * in-process store — indexed by photo, so the UI's audit view can list a photo's stored events.
 */
import {
  type Broker,
  EventBusClient,
  type EventEnvelope,
  MemoryEventStore,
  type StoreConfig,
} from "@shared-infra/event-bus/server";
import type { PlaygroundEvents } from "../shared/playground-events.js";
import type { PhotoStore } from "./photo-store.js";
import { startPhotoWorker, type WorkerOptions } from "./photo-worker.js";

export const WORKER_GROUP = "photo-worker";
export const REPLICAS = ["photo-worker-a", "photo-worker-b"] as const;

/** The aggregate of a demo event: its photo (metadata.aggregateId, else data.photoId). */
function photoOf(event: EventEnvelope): string | undefined {
  const data = event.data as { photoId?: unknown } | null;
  return event.metadata.aggregateId ?? (typeof data?.photoId === "string" ? data.photoId : undefined);
}

/** One store for every demo service (so an audit view sees what all of them published). */
export function demoStoreConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): StoreConfig {
  const url = env.EVENT_BUS_STORE_URL?.trim();
  const where = url ? { postgres: url } : { eventStore: new MemoryEventStore(20_000) };
  return { ...where, aggregateId: photoOf, flushTimeoutMs: 2000 };
}

/** Starts the worker replicas, each with its own client and broker connection (as separate processes). */
export async function startWorkerReplicas(
  newBroker: () => Broker,
  store: StoreConfig,
  photos: PhotoStore,
  options: WorkerOptions,
): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  for (const serviceName of REPLICAS) {
    const broker = newBroker();
    await broker.connect();
    const bus = new EventBusClient<PlaygroundEvents>({ serviceName, logLevel: "warn", store, broker });
    const stop = await startPhotoWorker(bus, photos, { ...options, group: WORKER_GROUP });
    stops.push(async () => {
      await stop();
      await bus.disconnect();
      await broker.close();
    });
  }
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
