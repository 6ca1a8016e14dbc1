/**
 * The argument checks of the bus's calls, so a wrong call fails at once with a coded error
 * instead of doing nothing: options with unknown keys (option-keys.ts), a publish without a room,
 * a third argument to subscribe, and patterns that can never match an event type — seed 001's
 * `subscribe("photo:123", …)`, a room's name, is pointed to `bus.room("photo:123")`.
 */
import { HINTS_INCLUDED } from "../protocol/build-mode.js";
import { EventBusError, toEventBusError } from "../protocol/errors.js";
import { assertTypePattern, roomOfPattern } from "../protocol/names.js";
import { toRewindRequest } from "../protocol/rewind.js";
import { JOIN_KEYS, optionKeysError, PUBLISH_KEYS } from "./option-keys.js";

/** Throws INVALID_PATTERN unless the pattern can match an event type. */
export function checkPattern(pattern: unknown): asserts pattern is string {
  assertTypePattern(pattern, HINTS_INCLUDED ? roomPatternHint : () => "");
}

function roomPatternHint(pattern: string): string {
  if (pattern.startsWith("user:")) {
    return 'Patterns match event types such as "photo.processing.*"; events for your own user arrive by themselves, so subscribe to their types.';
  }
  const room = roomOfPattern(pattern);
  const call = `bus.room(${room === undefined ? "name" : JSON.stringify(room)}).on("*", handler)`;
  return `Patterns match event types such as "photo.processing.*"; a room's events come through ${call} (or useRoom / useEventBus with { room } in React).`;
}

/** subscribe(pattern, handler) takes nothing else: anything passed third is an error, not ignored. */
export function checkSubscribeExtra(extra: unknown): void {
  if (extra === undefined) return;
  throw new EventBusError("INVALID_OPTIONS", "subscribe(pattern, handler) takes no options.", {
    ...(HINTS_INCLUDED && {
      hint: "For one room's events use bus.room(name).on(pattern, handler); handler timeouts and retries belong to the backend library's subscribe.",
    }),
  });
}

/** Why these publish options cannot be used, or undefined. */
export function publishOptionsError(options: unknown): EventBusError | undefined {
  const unknown = optionKeysError("publish options", options, PUBLISH_KEYS);
  if (unknown || typeof (options as { room?: unknown } | undefined)?.room === "string") return unknown;
  return new EventBusError("INVALID_OPTIONS", "publish needs { room }: browsers publish to rooms only.");
}

/** Why these join options cannot be used, or undefined. */
export function joinOptionsError(options: unknown): EventBusError | undefined {
  const unknown = optionKeysError("joinRoom options", options, JOIN_KEYS);
  const rewind = (options as { rewind?: unknown } | undefined)?.rewind;
  if (unknown || rewind === undefined) return unknown;
  try {
    toRewindRequest(rewind);
    return undefined;
  } catch (error) {
    return toEventBusError(error, "INVALID_OPTIONS");
  }
}
