/**
 * Type tests of the registered event map (register.ts): `eventBus`, `new EventBusClient()`,
 * `createEventBus()` and every hook are typed without a type argument, and a misspelt event type
 * is a compile error; createEventBusHooks<Other>() still binds another map. Every
 * `@ts-expect-error` must be an error, or tsc fails ("Unused '@ts-expect-error' directive").
 */
import { EventBusClient, eventBus } from "@shared-infra/event-bus";
import { createEventBus } from "@shared-infra/event-bus/client";
import { createEventBusHooks, useEventBus, usePublish, useRoom } from "@shared-infra/event-bus/react";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): T;

// The default instance, as seed 000 writes it: `const { photoId } = event.data` is typed.
await eventBus.subscribe("photo.uploaded", async (event) => {
  const { photoId, userId } = event.data;
  assertType<Equal<typeof photoId, string>>();
  await eventBus.publish("photo.processing.started", {
    photoId,
    userId,
    startedAt: new Date().toISOString(),
  });
});
// @ts-expect-error — a misspelt event type
await eventBus.subscribe("photo.uplaoded", () => {});
// A glob is fine, and its handler gets the matching events' union.
await eventBus.subscribe("photo.processing.*", (event) => {
  assertType<
    Equal<
      typeof event.type,
      | "photo.processing.started"
      | "photo.processing.progress"
      | "photo.processing.completed"
      | "photo.processing.failed"
    >
  >();
});

const bus = new EventBusClient({ serviceName: "typed" });
// @ts-expect-error — progress must be a number
await bus.publish("photo.processing.progress", { photoId: "p", progress: "40%", stage: "resize" });
// @ts-expect-error — not a declared event type
await bus.publishToUser("u1", "photo.procesing.progress", { photoId: "p", progress: 40, stage: "x" });

const client = createEventBus({ url: "http://relay.test", token: "t" });
client.subscribe("photo.processing.progress", (event) => {
  assertType<Equal<typeof event.data.progress, number>>();
});
// @ts-expect-error — a misspelt event type
client.subscribe("photo.procesing.progress", () => {});
// @ts-expect-error — comment.added needs author
void client.publish("comment.added", { photoId: "p", text: "hi" }, { room: "photo:p" });

export function Progress() {
  const { last } = useEventBus("photo.processing.progress");
  assertType<
    Equal<typeof last extends null ? never : NonNullable<typeof last>["data"]["progress"], number>
  >();
  // @ts-expect-error — a misspelt event type
  useEventBus("photo.procesing.progress");
  const room = useRoom("photo:1");
  void room.publish("comment.added", { photoId: "1", text: "hi", author: "a" });
  const publish = usePublish();
  // @ts-expect-error — data of another event
  void publish("comment.added", { photoId: "1", progress: 3 }, { room: "photo:1" });
  return null;
}

// Another map for part of an app: createEventBusHooks binds it explicitly.
interface ChatEvents {
  "chat.message": { text: string };
}
const chat = createEventBusHooks<ChatEvents>();
export function Chat() {
  const { last } = chat.useEventBus("chat.message");
  assertType<Equal<NonNullable<typeof last>["data"], { text: string }>>();
  // @ts-expect-error — not in ChatEvents
  chat.useEventBus("photo.uploaded");
  return null;
}
