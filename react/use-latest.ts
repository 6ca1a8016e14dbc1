/**
 * A ref that always holds the latest value (a handler, a limit), updated after commit — never
 * during render — so a subscription made once can call the newest handler without resubscribing.
 * Layout effect on the client (updated before any later event can be dispatched); on the server,
 * where effects never run, a plain effect (React 18 warns about useLayoutEffect there).
 */
import { type RefObject, useEffect, useLayoutEffect, useRef } from "react";

const useClientLayoutEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useClientLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
