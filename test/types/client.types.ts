/**
 * Type tests of the client SDK, checked by `npm run typecheck` (tsc): every `@ts-expect-error`
 * below must be an error, or tsc fails with "Unused '@ts-expect-error' directive".
 */
import { createEventBus, type EventBus, type PublishAck } from "../../client/index.js";
import type { PhotoEvents } from "../../playground/shared/photo-events.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): T;

declare const bus: EventBus<PhotoEvents>;

// publish: data is checked against the event map
const ack: Promise<PublishAck> = bus.publish(
  "photo.processing.progress",
  { photoId: "p1", progress: 40, stage: "resize" },
  { room: "photo:1" },
);
void ack;
const room1 = { room: "photo:1" };
const progressAsText = { photoId: "p1", progress: "40%", stage: "resize" };
// @ts-expect-error — progress must be a number
void bus.publish("photo.processing.progress", progressAsText, room1);
// @ts-expect-error — stage is required
void bus.publish("photo.processing.progress", { photoId: "p1", progress: 40 }, { room: "photo:1" });
const progress = { photoId: "p1", progress: 40, stage: "x" };
// @ts-expect-error — not a declared event type
void bus.publish("photo.procesing.progress", progress, room1);
// @ts-expect-error — browsers publish to rooms: `room` is required
void bus.publish("comment.added", { photoId: "p1", text: "hi", author: "a" }, {});

// subscribe: the handler gets the envelope typed by the pattern, plus channel and offset
bus.subscribe("photo.processing.progress", (event) => {
  const progress: number = event.data.progress;
  const channel: string = event.channel;
  const offset: number | undefined = event.offset;
  void [progress, channel, offset];
  // @ts-expect-error — data has no such field
  void event.data.percent;
});
bus.subscribe("photo.processing.*", (event) => {
  assertType<
    Equal<
      typeof event.type,
      | "photo.processing.started"
      | "photo.processing.progress"
      | "photo.processing.completed"
      | "photo.processing.failed"
    >
  >();
  if (event.type === "photo.processing.failed") {
    const code: string = event.data.error.code;
    void code;
  }
});

// rooms: handles carry the same typing
const room = bus.room("photo:1", { presence: true });
room.on("comment.added", (event) => {
  const text: string = event.data.text;
  void text;
});
void room.publish("comment.added", { photoId: "p1", text: "hi", author: "a" });
// @ts-expect-error — wrong data for the type
void room.publish("comment.added", { photoId: "p1" });
const members: readonly { userId: string; connections: number }[] = room.members();
void members;

// the store is read-only from outside
const status: "idle" | "connecting" | "connected" | "reconnecting" | "disconnected" | "unauthorized" =
  bus.store.getState().status;
void status;
// @ts-expect-error — no setState on the public store
bus.store.setState({ pending: 0 });

// without an event map: any type, unknown data
const untyped = createEventBus({ url: "http://localhost", token: "t", autoConnect: false });
untyped.subscribe("anything.*", (event) => {
  assertType<Equal<typeof event.data, unknown>>();
});
void untyped.publish("anything.goes", { any: "thing" }, { room: "r" });
untyped.close();

// options are checked
// @ts-expect-error — overflow policy is a fixed set
createEventBus({ url: "http://localhost", token: "t", outbox: { overflow: "drop-newest" } });
