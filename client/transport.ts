/**
 * What the bus needs from a connection attempt (Transport), and what every implementation shares:
 * the relay's events dispatched to the handlers, the request/acknowledgement wrapper and the
 * errors. A Transport never reconnects by itself (the reconnect loop is ours) and never queues a
 * frame while disconnected: requests are sent only while connected, and time out otherwise.
 * Implementations: ws-transport.ts (the default, WebSocket only) and socket-io.ts (socket.io-client,
 * an opt-in entry for long-polling and WebTransport).
 */
import type { Clock } from "../common/clock.js";
import { HINTS_INCLUDED } from "../protocol/build-mode.js";
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
import type { EventBusOptions } from "./types.js";

export interface TransportHandlers {
  connect(): void;
  connectError(error: EventBusError): void;
  disconnect(reason: string): void;
  /**
   * `message`: the envelope as the packet's JSON parse gave it, not yet validated (protocol 3);
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
  readonly socketOptions: EventBusOptions["socketOptions"];
  readonly clock: Clock;
}

/** A connection implementation: the built-in WebSocket client, or socket.io-client (client/socket-io). */
export type Connector = (options: SocketIoTransportOptions) => TransportFactory;

/** One event the relay emitted (name and arguments), handed to the bus. */
export function relayEvent(handlers: TransportHandlers, name: unknown, args: readonly unknown[]): void {
  const [first, second, third] = args;
  switch (name) {
    case RELAY_FRAMES.message:
      if (typeof first !== "string") return; // `second` is validated by the bus (channels.ts)
      if (Number.isSafeInteger(third) && (third as number) >= 0)
        handlers.message(first, second, third as number);
      else handlers.message(first, second);
      return;
    case RELAY_FRAMES.presence:
      if (isPresenceEvent(first)) handlers.presence(first);
      return;
    case RELAY_FRAMES.resync:
      if (Array.isArray(first)) handlers.resync(first.filter((c) => typeof c === "string"));
      return;
    case RELAY_FRAMES.notice:
      handlers.notice(EventBusError.fromWire(first));
      return;
    case RELAY_FRAMES.left:
      if (isLeftEvent(first)) handlers.left(first.room, EventBusError.fromWire(first.error));
  }
}

/**
 * The request function of a connection: `send` writes the frame with its acknowledgement callback
 * (false: not connected). Every request fails with NOT_CONNECTED when the connection closes
 * (`failAll`) and with TIMEOUT when the relay does not answer in time.
 */
export function requests(
  options: Pick<SocketIoTransportOptions, "clock" | "requestTimeout">,
  send: (frame: string, payload: unknown, ack: (answer: unknown) => void) => boolean,
): { readonly request: RequestFn; failAll(): void } {
  const pending = new Set<(error: EventBusError) => void>();
  const request: RequestFn = async (frame, payload) => {
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
      if (!send(frame, payload, (answer) => done(undefined, answer))) {
        fail(
          new EventBusError("NOT_CONNECTED", "The connection dropped before this request was sent.", {
            ...(HINTS_INCLUDED && {
              hint: "The client reconnects by itself; try again once status is 'connected' (the outbox does this for publishes).",
            }),
          }),
        );
      }
    });
    return unwrap(await reply);
  };
  return {
    request,
    failAll() {
      const closed = new EventBusError("NOT_CONNECTED", "The connection closed before the relay answered.");
      for (const fail of [...pending]) fail(closed);
    },
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
export function connectError(error: Error & { data?: unknown }, url: string): EventBusError {
  const data = error.data as { code?: unknown } | undefined;
  if (data && isErrorCode(data.code)) return EventBusError.fromWire(data);
  return new EventBusError("NOT_CONNECTED", `Could not reach the relay at ${url}: ${error.message}.`, {
    cause: error,
    ...(HINTS_INCLUDED && {
      hint: "Check createEventBus's `url` (scheme, host, port), that the relay is running and reachable from this page (firewall, proxy, CORS origins); the client keeps retrying with backoff.",
    }),
  });
}
