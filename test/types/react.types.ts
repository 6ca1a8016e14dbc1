/**
 * Type tests for the React bindings, checked by `npm run typecheck` (tsc -p tsconfig.json): every
 * `@ts-expect-error` below must be an error. Hooks are only type-checked here, never called.
 */
import { createEventBus, type EventBus } from "../../client/index.js";
import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import {
  createEventBusHooks,
  EventBusProvider,
  useEventBus,
  useEventBusClient,
  usePublish,
  useRoom,
} from "../../react/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): T;

export function ExplicitTypes(): void {
  // The pattern, then the event map: the handler and `last`/`events` get the typed `data`.
  const progress = useEventBus<PhotoEvents, "photo.processing.progress">(
    "photo.processing.progress",
    (event) => {
      const value: number = event.data.progress;
      const stage: string = event.data.stage;
      // @ts-expect-error — no such field on photo.processing.progress
      void event.data.thumbnails;
      void value;
      void stage;
    },
  );
  const last = progress.last;
  if (last) assertType<Equal<typeof last.data.progress, number>>();
  assertType<Equal<(typeof progress.events)[number]["type"], "photo.processing.progress">>();
  assertType<Equal<(typeof progress.events)[number]["channel"], string>>();

  useEventBus<PhotoEvents, "photo.processing.*">("photo.processing.*", (event) => {
    if (event.type === "photo.processing.failed") {
      const code: string = event.data.error.code;
      void code;
    }
    // @ts-expect-error — not every photo.processing.* event has `progress`
    void event.data.progress;
  });

  const publish = usePublish<PhotoEvents>();
  void publish("comment.added", { photoId: "p1", text: "hi", author: "alice" }, { room: "photo:p1" });
  // @ts-expect-error — text must be a string
  void publish("comment.added", { photoId: "p1", text: 42, author: "alice" }, { room: "photo:p1" });
  // @ts-expect-error — author is required
  void publish("comment.added", { photoId: "p1", text: "hi" }, { room: "photo:p1" });
  // @ts-expect-error — not a declared event type
  void publish("comment.adedd", { photoId: "p1", text: "hi", author: "alice" }, { room: "photo:p1" });
  // @ts-expect-error — browsers publish to rooms: `room` is required
  void publish("comment.added", { photoId: "p1", text: "hi", author: "alice" }, {});

  const room = useRoom<PhotoEvents>("photo:p1", { presence: true });
  void room.publish("comment.added", { photoId: "p1", text: "hi", author: "alice" });
  // @ts-expect-error — mistyped data through the room's publish
  void room.publish("photo.processing.progress", { photoId: "p1", progress: "50%", stage: "resize" });
  assertType<Equal<typeof room.status, "idle" | "joining" | "joined" | "failed" | "forbidden">>();
  assertType<Equal<typeof room.recovered, boolean | null>>();
  const userId: string | undefined = room.members[0]?.userId;
  void userId;

  const bus = useEventBusClient<PhotoEvents>();
  assertType<Equal<typeof bus, EventBus<PhotoEvents> | null>>();
}

// The event map bound once: patterns are inferred from the argument.
const photo = createEventBusHooks<PhotoEvents>();

export function BoundHooks(): void {
  photo.useEventBus("photo.processing.progress", (event) => {
    const value: number = event.data.progress;
    void value;
  });
  photo.useEventBus("*.completed", (event) => {
    assertType<Equal<typeof event.type, "photo.processing.completed" | "batch.processing.completed">>();
  });
  const publish = photo.usePublish();
  // @ts-expect-error — progress must be a number
  void publish("photo.processing.progress", { photoId: "p", progress: "1", stage: "s" }, { room: "r" });
  const room = photo.useRoom("photo:p1");
  const first = room.events[0];
  if (first?.type === "comment.added") {
    const text: string = first.data.text;
    void text;
  }
}

// Without an event map: any type, `data` is unknown.
export function Untyped(): void {
  useEventBus("anything.*", (event) => {
    assertType<Equal<typeof event.data, unknown>>();
  });
  void usePublish()("anything.goes", { whatever: true }, { room: "r" });
}

// The provider takes a bus or options, not both and not neither.
const bus = createEventBus<PhotoEvents>({ url: "http://localhost", token: "t", autoConnect: false });
export const withBus = EventBusProvider({ bus, children: null });
export const withOptions = EventBusProvider({ options: { url: "http://localhost", token: "t" } });
// @ts-expect-error — bus and options are exclusive
export const withBoth = EventBusProvider({ bus, options: { url: "http://localhost", token: "t" } });
// @ts-expect-error — one of them is required
export const withNeither = EventBusProvider({ gracePeriod: 10 });
