/**
 * Browser signals: `online` and a hidden page becoming visible mean "retry now"; `offline` means
 * "the connection is gone" — an open WebSocket can take a long time to notice a dead network (and
 * Chromium keeps delivering on one while its network is emulated offline), so the bus drops it at
 * once and queues publishes until `online`. No-ops where there is no window (Node, SSR).
 */
export function watchWake(onWake: () => void, onOffline: () => void = () => {}): () => void {
  if (typeof window === "undefined" || typeof window.addEventListener !== "function") return () => {};
  const win = window;
  const doc = typeof document === "undefined" ? undefined : document;
  const onVisibility = (): void => {
    if (doc?.visibilityState === "visible") onWake();
  };
  win.addEventListener("online", onWake);
  win.addEventListener("offline", onOffline);
  doc?.addEventListener("visibilitychange", onVisibility);
  return () => {
    win.removeEventListener("online", onWake);
    win.removeEventListener("offline", onOffline);
    doc?.removeEventListener("visibilitychange", onVisibility);
  };
}
