/**
 * Type tests for the backend library, checked by `npm run typecheck` (tsc): every
 * `@ts-expect-error` below must be an error, or tsc fails with "Unused '@ts-expect-error' directive".
 */

import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import {
  EventBusClient,
  type EventEnvelope,
  eventBus,
  type PublishResult,
  type Subscription,
} from "../../relay/backend/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): T;
declare const bus: EventBusClient<PhotoEvents>;

// ---- publishing: data is checked against the event map ----
const uploaded: Promise<PublishResult> = bus.publish("photo.uploaded", {
  photoId: "p1",
  userId: "u1",
  filename: "a.jpg",
  size: 1,
  uploadedAt: "2025-01-01T00:00:00Z",
});
void uploaded;
const sizeAsText = { photoId: "p1", userId: "u1", filename: "a.jpg", size: "1", uploadedAt: "x" };
// @ts-expect-error — size must be a number
void bus.publish("photo.uploaded", sizeAsText);
// @ts-expect-error — not a declared event type
void bus.publish("photo.upload", {});
void bus.publishToUser("u1", "notification.new", { title: "t", message: "m" });
// @ts-expect-error — message is required
void bus.publishToUser("u1", "notification.new", { title: "t" });
void bus.publishToRoom("photo:1", "photo.processing.progress", { photoId: "1", progress: 5, stage: "s" });
void bus.broadcast("system.maintenance", { scheduled: "s", duration: "d", message: "m" });
// @ts-expect-error — broadcast takes a declared type too
void bus.broadcast("system.reboot", {});
void bus.publish("user.registered", { userId: "u", email: "e" }, { traceId: "t", userId: "u" });

// ---- subscribing: the handler's event follows the pattern ----
void bus.subscribe("photo.processing.completed", (event) => {
  assertType<Equal<typeof event.type, "photo.processing.completed">>();
  const completedAt: string = event.data.completedAt;
  const channel: string = event.channel;
  const attempt: number = event.attempt;
  void [completedAt, channel, attempt];
});
void bus.subscribe("photo.processing.*", (event) => {
  assertType<
    Equal<
      typeof event.type,
      | "photo.processing.started"
      | "photo.processing.progress"
      | "photo.processing.completed"
      | "photo.processing.failed"
    >
  >();
  if (event.type === "photo.processing.progress") {
    const progress: number = event.data.progress;
    void progress;
  }
});
void bus.subscribe("photo.uploaded", (event) => {
  // @ts-expect-error — photo.uploaded has no `progress`
  void event.data.progress;
});
const options = { timeout: 5000, retryOnError: true, maxRetries: 3, name: "welcome" };
void bus.subscribe("user.*", async () => {}, options);
// @ts-expect-error — unknown option
void bus.subscribe("user.*", () => {}, { retries: 3 });
const subscription: Promise<Subscription> = bus.subscribeToRoom("photo:1", (event) => {
  assertType<Equal<typeof event.type, keyof PhotoEvents>>();
});
void subscription;

// ---- the default instance: no event map, any type and data ----
void eventBus.publish("anything.goes", { free: "form" });
void eventBus.subscribe("user.*", (event) => {
  const envelope: EventEnvelope = event;
  void envelope;
});

// ---- logging: the app's own pino instance is accepted as it is ----
declare const appPino: import("pino").Logger;
declare const appPinoWithLevels: import("pino").Logger<"audit">;
void new EventBusClient({ serviceName: "api", logger: appPino });
void new EventBusClient({ serviceName: "api", logger: appPinoWithLevels.child({ module: "events" }) });
void new EventBusClient({ serviceName: "api", logger: console });
// @ts-expect-error — a logger needs warn/error/info/debug
void new EventBusClient({ serviceName: "api", logger: { info() {} } });
