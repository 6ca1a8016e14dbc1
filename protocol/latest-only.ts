/**
 * Latest-only (conflated) event types: part of the event contract. A type declared here with a key
 * (a dotted path into the envelope, e.g. `data.photoId`) is a state, not a story: when a socket is
 * behind, a newer event of that type with the same key value on the same channel replaces an older
 * undelivered one. The relay applies the rules (relay/edge/delivery/conflation.ts); each message it
 * sends after skipping superseded ones carries the offset of the previous message it sent on that
 * channel (`m` frame, third argument, protocol version 2), so a client needs no copy of the rules to
 * tell a conflated skip from a gap.
 *
 *   const latestOnly = defineLatestOnly({ "photo.processing.progress": "data.photoId" });
 *   createRelay({ latestOnly, … });
 */
import { EventBusError } from "./errors.js";

/** Event type → dotted key path into the envelope (`data.photoId`, `metadata.userId`, …). */
export type LatestOnlyRules = Readonly<Record<string, string>>;

const KEY_PATH = /^(data|metadata)(\.[A-Za-z0-9_$-]{1,64}){0,8}$/;
const MAX_RULES = 1000;

/** Checks and freezes the rules; throws INVALID_OPTIONS naming the bad entry. */
export function defineLatestOnly<const R extends Record<string, string>>(rules: R): Readonly<R> {
  if (typeof rules !== "object" || rules === null || Array.isArray(rules)) {
    throw new EventBusError("INVALID_OPTIONS", "latestOnly must be an object: { [eventType]: keyPath }.");
  }
  const entries = Object.entries(rules);
  if (entries.length > MAX_RULES) {
    throw new EventBusError(
      "INVALID_OPTIONS",
      `latestOnly declares ${entries.length} types; at most ${MAX_RULES}.`,
    );
  }
  for (const [type, path] of entries) {
    if (type.length === 0 || type.startsWith("$")) {
      throw new EventBusError("INVALID_OPTIONS", `latestOnly: ${JSON.stringify(type)} is not an event type.`);
    }
    if (typeof path !== "string" || !KEY_PATH.test(path)) {
      throw new EventBusError(
        "INVALID_OPTIONS",
        `latestOnly[${JSON.stringify(type)}]: key ${JSON.stringify(path)} must be a dotted path starting with data or metadata, e.g. "data.photoId".`,
      );
    }
  }
  return Object.freeze({ ...rules });
}

/**
 * The conflation key of an event, or undefined when its type is not latest-only or the key is not a
 * string or number (such an event is delivered like any other: never conflated by accident).
 */
export function latestOnlyKey(
  rules: LatestOnlyRules,
  event: { readonly type: string; readonly data?: unknown; readonly metadata?: unknown },
): string | undefined {
  const path = Object.hasOwn(rules, event.type) ? rules[event.type] : undefined;
  if (path === undefined) return undefined;
  let value: unknown = event;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === "string") return `${event.type}\u0000s${value}`;
  if (typeof value === "number" && Number.isFinite(value)) return `${event.type}\u0000n${value}`;
  return undefined;
}
