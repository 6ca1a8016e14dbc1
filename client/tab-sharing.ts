/**
 * `shareAcrossTabs`: the bus's transport comes from ./tabs/, imported on demand the first time the
 * bus connects, so apps that never set the option do not download it. Where the browser has no Web
 * Locks or BroadcastChannel (or the module fails to load), the bus keeps its own socket: same API.
 */
import { EventBusError } from "../protocol/errors.js";
import type { ResolvedOptions } from "./options.js";
import type { Transport, TransportFactory } from "./transport.js";

/** What a transport shared with other tabs adds to a bus. */
export interface BusHooks {
  /** The bus closed. */
  readonly onClose?: () => void;
  /** Registers `wake`: retry now if a retry is waiting (as the browser's `online` event does). */
  readonly wakeOn?: (wake: () => void) => void;
}

export interface SharedTransport {
  readonly transport: TransportFactory;
  /** Calls `listener` whenever the tabs' shared connection opens (a bus in backoff retries then). */
  onUp(listener: () => void): void;
  dispose(): void;
}

/** True where tabs can share a connection (Web Locks and BroadcastChannel). */
export function canShareAcrossTabs(): boolean {
  return (
    typeof BroadcastChannel === "function" &&
    typeof navigator === "object" &&
    typeof navigator.locks?.request === "function"
  );
}

export function sharedTransport(o: ResolvedOptions, key: string): SharedTransport {
  const own = o.connector(o.transport);
  if (!canShareAcrossTabs()) return { transport: own, onUp: () => {}, dispose: () => {} };
  let disposed = false;
  const loading = import("./tabs/index.js").then(
    (m) => (disposed ? null : m.startTabSharing(o, key)),
    () => null,
  );
  return {
    transport: (auth, handlers) => {
      let inner: Transport | null = null;
      let closed = false;
      void loading.then((sharing) => {
        if (!closed) inner = (sharing?.transport ?? own)(auth, handlers);
      });
      return {
        request: (frame, payload) =>
          inner ? inner.request(frame, payload) : Promise.reject(new EventBusError("NOT_CONNECTED")),
        close: () => {
          closed = true;
          inner?.close();
        },
      };
    },
    onUp: (listener) => {
      void loading.then((sharing) => sharing?.onUp(listener));
    },
    dispose: () => {
      disposed = true;
      void loading.then((sharing) => sharing?.dispose());
    },
  };
}
