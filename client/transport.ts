/**
 * One socket.io-client connection attempt, wrapped. A Transport never reconnects by itself
 * (`reconnection: false`: the reconnect loop is ours) and never lets socket.io-client queue a
 * frame while disconnected: requests are emitted only while connected, and anything the library
 * still buffered (it buffers when a heartbeat is overdue) is dropped at once and times out.
 */
import { io, type ManagerOptions, type SocketOptions } from "socket.io-client";
import type { Clock } from "../common/clock.js";
import { EventBusError, isErrorCode } from "../protocol/errors.js";
import {
  type ClientFrameMap,
  type ClientFrameName,
  type HandshakeAuth,
  isLeftEvent,
  isPresenceEvent,
  type PresenceEvent,
  RELAY_FRAMES,
  type Reply,
} from "../protocol/frames.js";

export interface TransportHandlers {
  connect(): void;
  connectError(error: EventBusError): void;
  disconnect(reason: string): void;
  /**
   * `message`: the envelope as socket.io-client parsed it, not yet validated (protocol 3);
   * `after`: the previous offset the relay sent on this channel (latest-only skips between).
   */
  message(channel: string, message: unknown, after?: number): void;
  presence(event: PresenceEvent): void;
  resync(channels: readonly string[]): void;
  notice(notice: EventBusError): void;
  /** The relay removed this socket from a room (a refreshed token no longer allows it). */
  left(room: string, error: EventBusError): void;
}

export type RequestFn = <K extends ClientFrameName>(
  frame: K,
  payload: ClientFrameMap[K]["request"],
) => Promise<ClientFrameMap[K]["result"]>;

export interface Transport {
  readonly request: RequestFn;
  close(): void;
}

export type TransportFactory = (auth: HandshakeAuth, handlers: TransportHandlers) => Transport;

export interface SocketIoTransportOptions {
  readonly url: string;
  readonly transports: readonly ("websocket" | "polling" | "webtransport")[];
  readonly path: string | undefined;
  /** Handshake timeout, ms. */
  readonly connectTimeout: number;
  /** Acknowledgement timeout of every request, ms. */
  readonly requestTimeout: number;
  readonly socketOptions: Partial<ManagerOptions & SocketOptions> | undefined;
  readonly clock: Clock;
}

export function socketIoTransport(options: SocketIoTransportOptions): TransportFactory {
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
    socket.on("connect", () => handlers.connect());
    socket.on("connect_error", (error: Error & { data?: unknown }) =>
      handlers.connectError(connectError(error, options.url)),
    );
    const pending = new Set<(error: EventBusError) => void>();
    socket.on("disconnect", (reason: string) => {
      const closed = new EventBusError("NOT_CONNECTED", "The connection closed before the relay answered.");
      for (const fail of [...pending]) fail(closed);
      handlers.disconnect(reason);
    });
    socket.on(RELAY_FRAMES.message, (channel: unknown, message: unknown, after?: unknown) => {
      if (typeof channel !== "string") return;
      if (Number.isSafeInteger(after) && (after as number) >= 0)
        handlers.message(channel, message, after as number);
      else handlers.message(channel, message);
    });
    socket.on(RELAY_FRAMES.presence, (event: unknown) => {
      if (isPresenceEvent(event)) handlers.presence(event);
    });
    socket.on(RELAY_FRAMES.resync, (channels: unknown) => {
      if (Array.isArray(channels)) handlers.resync(channels.filter((c) => typeof c === "string"));
    });
    socket.on(RELAY_FRAMES.notice, (notice: unknown) => handlers.notice(EventBusError.fromWire(notice)));
    socket.on(RELAY_FRAMES.left, (event: unknown) => {
      if (isLeftEvent(event)) handlers.left(event.room, EventBusError.fromWire(event.error));
    });
    socket.connect();

    const request: RequestFn = async (frame, payload) => {
      if (!socket.connected) {
        throw new EventBusError("NOT_CONNECTED", "The connection dropped before this request was sent.", {
          hint: "The client reconnects by itself; try again once status is 'connected' (the outbox does this for publishes).",
        });
      }
      const reply = new Promise<unknown>((resolve, reject) => {
        const { clock } = options;
        const done = (error?: EventBusError, value?: unknown) => {
          clock.clearTimeout(timer);
          pending.delete(fail);
          if (error) reject(error);
          else resolve(value);
        };
        const fail = (error: EventBusError) => done(error);
        const timer = clock.setTimeout(
          () => fail(new EventBusError("TIMEOUT", "The relay did not acknowledge the request in time.")),
          options.requestTimeout,
        );
        pending.add(fail);
        socket.emit(frame, payload, (answer: unknown) => done(undefined, answer));
      });
      // Never leave a frame in socket.io-client's unbounded send buffer.
      if (socket.sendBuffer.length > 0) socket.sendBuffer.length = 0;
      return unwrap(await reply);
    };
    return {
      request,
      close() {
        socket.off();
        socket.disconnect();
      },
    };
  };
}

function unwrap<T>(reply: unknown): T {
  const value = reply as Reply<T> | null;
  if (typeof value !== "object" || value === null || typeof value.ok !== "boolean") {
    throw new EventBusError("INTERNAL", "The relay answered with a malformed acknowledgement.");
  }
  if (value.ok) return value.result;
  throw EventBusError.fromWire(value.error);
}

/**
 * A handshake refusal carries `{ code, message }` in `data`; anything else is a network failure,
 * whose hint points at the relay URL (not at connect(): the client is already trying).
 */
function connectError(error: Error & { data?: unknown }, url: string): EventBusError {
  const data = error.data as { code?: unknown } | undefined;
  if (data && isErrorCode(data.code)) return EventBusError.fromWire(data);
  return new EventBusError("NOT_CONNECTED", `Could not reach the relay at ${url}: ${error.message}.`, {
    cause: error,
    hint: "Check createEventBus's `url` (scheme, host, port), that the relay is running and reachable from this page (firewall, proxy, CORS origins); the client keeps retrying with backoff.",
  });
}
