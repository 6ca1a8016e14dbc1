/**
 * Type tests, checked by `npm run typecheck` (tsc): every `@ts-expect-error` below must be an
 * error, or tsc fails with "Unused '@ts-expect-error' directive".
 */

import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import type {
  EnvelopeForPattern,
  EnvelopeOf,
  EventData,
  EventEnvelope,
  EventType,
  MatchingTypes,
} from "../../protocol/index.js";

declare function publish<K extends EventType<PhotoEvents>>(type: K, data: EventData<PhotoEvents, K>): void;
declare function on<P extends string>(
  pattern: P,
  handler: (event: EnvelopeForPattern<PhotoEvents, P>) => void,
): void;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): T;

publish("photo.processing.progress", { photoId: "p1", progress: 40, stage: "resize" });
// @ts-expect-error — progress must be a number
publish("photo.processing.progress", { photoId: "p1", progress: "40%", stage: "resize" });
// @ts-expect-error — stage is required
publish("photo.processing.progress", { photoId: "p1", progress: 40 });
// @ts-expect-error — not a declared event type
publish("photo.procesing.progress", { photoId: "p1", progress: 40, stage: "x" });

on("photo.processing.progress", (event) => {
  const progress: number = event.data.progress;
  void progress;
});
on("photo.processing.*", (event) => {
  assertType<
    Equal<
      typeof event.type,
      | "photo.processing.started"
      | "photo.processing.progress"
      | "photo.processing.completed"
      | "photo.processing.failed"
    >
  >();
  if (event.type === "photo.processing.completed") {
    const thumbnails: readonly unknown[] = event.data.thumbnails;
    void thumbnails;
  }
});
on("*.completed", (event) => {
  assertType<Equal<typeof event.type, "photo.processing.completed" | "batch.processing.completed">>();
});
on("photo.[a-z]*", (event) => {
  assertType<Equal<typeof event, EnvelopeOf<PhotoEvents>>>();
  assertType<Equal<MatchingTypes<PhotoEvents, "photo.[a-z]*">, EventType<PhotoEvents>>>();
});
on("nothing.declared.*", (event) => {
  assertType<Equal<typeof event, EventEnvelope<string, unknown>>>();
});

// Without an event map, any type and any data are accepted.
declare function publishAny<K extends string>(type: K, data: EventData<Record<string, unknown>, K>): void;
publishAny("anything.goes", { whatever: true });
