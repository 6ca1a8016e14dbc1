/** The public types of the client SDK. */
import type { ManagerOptions, SocketOptions } from "socket.io-client";
import type { BackoffOptions } from "../common/backoff.js";
import type { Clock } from "../common/clock.js";
import type {
  EnvelopeForPattern,
  EventData,
  EventMap,
  EventType,
  PatternOf,
  RegisteredEvents,
} from "../protocol/envelope.js";
import type { EventBusError } from "../protocol/errors.js";
import type { StreamPosition } from "../protocol/position.js";
import type { Rewind } from "../protocol/rewind.js";
import type { ConnectionStatus, StatusChange } from "./connection-state.js";
import type { OutboxOptions, PublishAck } from "./outbox-options.js";
import type { Member } from "./presence.js";
import type { DeliveredEvent } from "./router.js";
import type { BusState, ReadonlyStore } from "./store.js";
import type { GetToken } from "./token.js";

export interface EventBusOptions {
  /** The relay's URL, e.g. "https://events.example.com". */
  readonly url: string;
  /** A fixed token. Prefer `getToken`, which is asked again before every (re)connect and before expiry. */
  readonly token?: string;
  readonly getToken?: GetToken;
  /** Reconnect backoff (full jitter after the cap). Default { minDelay: 500, maxDelay: 30 000 }. */
  readonly reconnect?: Partial<BackoffOptions>;
  /** Offline outbox bounds and persistence. */
  readonly outbox?: Partial<OutboxOptions>;
  /** Connect at once. Default true; false: call connect() yourself (e.g. after hydration). */
  readonly autoConnect?: boolean;
  /**
   * Connect through socket.io-client instead of the built-in WebSocket client: pass `socketIoClient`
   * from "@shared-infra/event-bus/client/socket-io". Needed for `transports` other than
   * ["websocket"] and for `socketOptions` other than `query`; adds socket.io-client to the bundle.
   */
  readonly socketIo?: SocketIoClient;
  /**
   * socket.io transports. Default ["websocket"]; "polling" and "webtransport" need `socketIo`, and
   * "polling" sticky sessions at the load balancer.
   */
  readonly transports?: readonly ("websocket" | "polling" | "webtransport")[];
  /** socket.io path on the relay. Default "/socket.io". */
  readonly path?: string;
  /** Handshake timeout, ms. Default 10 000. */
  readonly connectTimeout?: number;
  /** Acknowledgement timeout of every request (hello, join, publish, history, …), ms. Default 10 000. */
  readonly requestTimeout?: number;
  /**
   * Extra socket.io-client options (headers, query, …); without `socketIo` only `query` is honoured.
   * Reconnection and buffering stay ours.
   */
  readonly socketOptions?: Partial<ManagerOptions & SocketOptions>;
  /** Time source (tests). Default: the real clock. */
  readonly clock?: Clock;
  /** Random source in [0, 1) for backoff jitter (tests). Default Math.random. */
  readonly random?: () => number;
  /**
   * One connection for all tabs of the origin (docs/client.md): one tab, elected with Web Locks,
   * holds the socket; the others reach it over BroadcastChannel. Pass `shareTabs()` (or
   * `shareTabs({ key })`, which separates groups of tabs, e.g. per signed-in user) from
   * "@shared-infra/event-bus/client/tabs". Default false. Without Web Locks or BroadcastChannel: a
   * socket per tab.
   */
  readonly shareAcrossTabs?: false | ShareTabs;
}

/** socket.io-client as the bus's connection (client/socket-io's `socketIoClient`). Opaque. */
export interface SocketIoClient {
  readonly name: "socket.io-client";
}

/** Tab sharing for createEventBus's `shareAcrossTabs` (client/tabs's `shareTabs()`). Opaque. */
export interface ShareTabs {
  readonly name: "tabs";
}

export interface ShareAcrossTabsOptions {
  /** Tabs with the same relay URL and key share one connection. Default "" (one group per URL). */
  readonly key?: string;
}

/** What a handler subscribed with pattern P receives. */
export type BusEvent<E extends EventMap, P extends string> = DeliveredEvent<EnvelopeForPattern<E, P>>;
export type EventHandler<E extends EventMap, P extends string> = (event: BusEvent<E, P>) => void;

export interface PublishOptions {
  /** Browsers publish to rooms only. */
  readonly room: string;
  readonly traceId?: string;
}

export interface JoinOptions {
  /** Track this connection in the room's presence and receive members. Default false. */
  readonly presence?: boolean;
  /**
   * On the first join (no position yet): replay the room's last N events (`50`) or those of a
   * recent span (`"2m"`, `"30s"`, `"1h"`) before live ones, exactly once, in order. Past what the
   * relay's history retains, a `gap` with `rewind: true` says so. Reconnects recover as usual.
   */
  readonly rewind?: Rewind;
}

export interface GapInfo {
  readonly channel: string;
  /** The room, when the channel is a room's. */
  readonly room?: string;
  /** Where the channel resumes: events before it may be missing; refetch state. */
  readonly position: StreamPosition;
  /** A join's rewind asked for more than the relay's history retains: it starts at `position`. */
  readonly rewind?: true;
}

export interface RecoveredInfo {
  readonly channel: string;
  readonly room?: string;
  /** Events replayed from history. */
  readonly replayed: number;
}

export interface EventBusEvents {
  /** `{ status, previous, reason: { code, message } }` on every change. */
  status: (change: StatusChange) => void;
  error: (error: EventBusError) => void;
  recovered: (info: RecoveredInfo) => void;
  gap: (info: GapInfo) => void;
}

export interface RoomHandle<E extends EventMap = RegisteredEvents> {
  readonly name: string;
  /** Resolves once joined (and recovered); rejects with the join's error. */
  readonly joined: Promise<void>;
  /** Like bus.subscribe, for this room's events only. Removed by leave(). */
  on<P extends PatternOf<E>>(pattern: P, handler: EventHandler<E, P>): () => void;
  publish<K extends EventType<E>>(
    type: K,
    data: EventData<E, K>,
    options?: { readonly traceId?: string },
  ): Promise<PublishAck>;
  /** Members (per user) when joined with `presence: true`. */
  members(): readonly Member[];
  onMembers(listener: (members: readonly Member[]) => void): () => void;
  /** Releases this handle's hold on the room (idempotent) and its handlers. */
  leave(): void;
}

export interface EventBus<E extends EventMap = RegisteredEvents> {
  readonly status: ConnectionStatus;
  /** zustand vanilla store (read-only): status, error, pending, userId, rooms, members. */
  readonly store: ReadonlyStore<BusState>;
  /** Handlers for events whose type matches a Redis glob, from every channel the socket receives. */
  subscribe<P extends PatternOf<E>>(pattern: P, handler: EventHandler<E, P>): () => void;
  /** Publishes to a room; resolves on the relay's acknowledgement, rejects with a coded EventBusError. */
  publish<K extends EventType<E>>(
    type: K,
    data: EventData<E, K>,
    options: PublishOptions,
  ): Promise<PublishAck>;
  /** Resolves once the relay confirmed the join (and any recovery). Reference-counted. */
  joinRoom(room: string, options?: JoinOptions): Promise<void>;
  leaveRoom(room: string): void;
  /** Joins (reference-counted) and returns a handle on the room. */
  room(room: string, options?: JoinOptions): RoomHandle<E>;
  on<K extends keyof EventBusEvents>(event: K, listener: EventBusEvents[K]): () => void;
  connect(): void;
  /** Closes the connection and stays disconnected until connect(). Rooms and subscriptions are kept. */
  disconnect(): void;
  /** Reconnects now (also leaves `unauthorized` with the current token). */
  reconnect(): void;
  /** For good: disconnects and rejects pending joins and publishes with CLOSED. */
  close(): void;
}
