/**
 * Hook-local state that is not in the bus store:
 *   - the bounded list of events a hook returns, as React state: `{ last, events }`, oldest first,
 *     at most `limit` long, appended from bus callbacks (never during render). It remembers which
 *     subscription (bus, pattern, room) filled it, so switching pattern or room shows an empty list
 *     at once instead of the previous subscription's events — derived, not patched in render;
 *   - `useLatest`: a ref that always holds the latest value (a handler, a limit), so a subscription
 *     made once calls the newest handler without resubscribing. Updated in an insertion effect: it
 *     runs in the commit itself, before layout and passive effects, so no event dispatched after a
 *     commit sees the previous handler; unlike useLayoutEffect it does not warn in React 18's server
 *     renderer, and it exists in React 18 and 19 (the pattern of useEffectEvent shims).
 */
import { type RefObject, useCallback, useInsertionEffect, useRef, useState } from "react";

/** Default number of events a hook keeps (`limit` option). */
export const DEFAULT_EVENT_LIMIT = 50;

export interface EventList<T> {
  /** The newest event, or null before the first. */
  readonly last: T | null;
  /** The newest `limit` events, oldest first. The same array until an event arrives. */
  readonly events: readonly T[];
}

const EMPTY: EventList<never> = Object.freeze({ last: null, events: Object.freeze([]) });

interface Stored<T> {
  readonly source: object;
  readonly list: EventList<T>;
}

/**
 * `[list, append]`: `source` identifies the current subscription (a fresh object per subscription
 * key); append(source, event, limit) ignores events of an older source.
 */
export function useEventList<T>(
  source: object,
): [EventList<T>, (source: object, event: T, limit: number) => void] {
  const [stored, setStored] = useState<Stored<T> | null>(null);
  const append = useCallback((from: object, event: T, limit: number) => {
    if (limit <= 0) return;
    setStored((previous) => {
      const events = previous?.source === from ? previous.list.events : [];
      const next = events.length >= limit ? events.slice(events.length - limit + 1) : events.slice();
      next.push(event);
      return { source: from, list: { last: event, events: next } };
    });
  }, []);
  return [stored !== null && stored.source === source ? stored.list : EMPTY, append];
}

export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
