/**
 * @shared-infra/event-bus/client/socket-io — connects through socket.io-client instead of the
 * built-in WebSocket client, for apps that need long-polling or WebTransport (`transports`) or
 * socket.io-client's own options (`socketOptions`). Opt-in: it adds socket.io-client (≈ 14 KiB
 * gzipped) to the bundle.
 *
 *   (import socketIoClient from this entry, then)
 *   createEventBus({ url, getToken, socketIo: socketIoClient, transports: ["websocket", "polling"] });
 *
 * A connection here never reconnects by itself (`reconnection: false`) and never lets
 * socket.io-client queue a frame while disconnected: anything the library still buffered (it
 * buffers when a heartbeat is overdue) is dropped at once and times out.
 */
import { io } from "socket.io-client";
import {
  connectError,
  relayEvent,
  requests,
  type SocketIoTransportOptions,
  type TransportFactory,
} from "./transport.js";
import type { SocketIoClient } from "./types.js";

function socketIoTransport(options: SocketIoTransportOptions): TransportFactory {
  return (auth, handlers) => {
    const socket = io(options.url, {
      ...options.socketOptions,
      ...(options.path !== undefined && { path: options.path }),
      transports: [...options.transports],
      forceNew: true,
      multiplex: false,
      reconnection: false,
      autoConnect: false,
      timeout: options.connectTimeout,
      auth: { ...auth },
    });
    const { request, failAll } = requests(options, (frame, payload, ack) => {
      if (!socket.connected) return false;
      socket.emit(frame, payload, ack);
      // Never leave a frame in socket.io-client's unbounded send buffer.
      if (socket.sendBuffer.length > 0) socket.sendBuffer.length = 0;
      return true;
    });
    socket.on("connect", () => handlers.connect());
    socket.on("connect_error", (error: Error & { data?: unknown }) =>
      handlers.connectError(connectError(error, options.url)),
    );
    socket.on("disconnect", (reason: string) => {
      failAll();
      handlers.disconnect(reason);
    });
    socket.onAny((name: unknown, ...args: unknown[]) => relayEvent(handlers, name, args));
    socket.connect();
    return {
      request,
      close() {
        socket.off();
        socket.offAny();
        socket.disconnect();
      },
    };
  };
}

/** Pass as createEventBus's `socketIo` option. */
export const socketIoClient: SocketIoClient = Object.freeze({
  name: "socket.io-client" as const,
  connector: socketIoTransport,
});

export type { SocketIoClient } from "./types.js";
