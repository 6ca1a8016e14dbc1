/**
 * Browser signals that a retry should happen now: the `online` event and a hidden page becoming
 * visible. No-ops where there is no window (Node, SSR).
 */
export function watchWake(onWake: () => void): () => void {
  if (typeof window === "undefined" || typeof window.addEventListener !== "function") return () => {};
  const win = window;
  const doc = typeof document === "undefined" ? undefined : document;
  const onVisibility = (): void => {
    if (doc?.visibilityState === "visible") onWake();
  };
  win.addEventListener("online", onWake);
  doc?.addEventListener("visibilitychange", onVisibility);
  return () => {
    win.removeEventListener("online", onWake);
    doc?.removeEventListener("visibilitychange", onVisibility);
  };
}
