/**
 * A ref that always holds the latest value (a handler, a limit), updated after commit — never
 * during render — so a subscription made once calls the newest handler without resubscribing.
 *
 * Updated in an insertion effect: it runs in the commit itself, before layout and passive effects,
 * so no event dispatched after a commit can see the previous handler; unlike useLayoutEffect it
 * does not warn in React 18's server renderer, and it exists in React 18 and 19 (the pattern
 * of useEffectEvent shims).
 */
import { type RefObject, useInsertionEffect, useRef } from "react";

export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
