/**
 * createEventBus: wires the pieces together. Connection (state machine, reconnect, tokens) →
 * on every session: `hello` (own channels, with positions) → joins (rooms, with positions) →
 * outbox flush. Channels (recovery) → Router (patterns → handlers). The store mirrors it all.
 */

import { backoffDelay } from "../common/backoff.js";
import type { Clock } from "../common/clock.js";
import { Emitter } from "../common/emitter.js";
import { type ChannelNames, channelNames } from "../protocol/channels.js";
import type { AnyEvents, EventMap, RegisteredEvents } from "../protocol/envelope.js";
import { EventBusError, toEventBusError } from "../protocol/errors.js";
import type { HelloResult } from "../protocol/frames.js";
import { DEFAULT_LIMITS } from "../protocol/limits.js";
import type { StreamPosition } from "../protocol/position.js";
import { toRewindRequest } from "../protocol/rewind.js";
import { checkSubscribeExtra, joinOptionsError, publishOptionsError } from "./call-checks.js";
import { Channels, prefixOf } from "./channels.js";
import { Connection, type Session } from "./connection.js";
import type { ConnectionStatus, StatusChange } from "./connection-state.js";
import { type ResolvedOptions, resolveOptions } from "./options.js";
import { Outbox } from "./outbox.js";
import type { PublishAck } from "./outbox-options.js";
import { createRoomHandle } from "./room-handle.js";
import { Rooms } from "./rooms.js";
import { type DeliveredEvent, Router } from "./router.js";
import { type BusState, createBusStore, type ReadonlyStore } from "./store.js";
import type { BusHooks } from "./tab-sharing.js";
import { createTokenSource } from "./token.js";
import type { TransportFactory } from "./transport.js";
import type {
  EventBus,
  EventBusEvents,
  EventBusOptions,
  JoinOptions,
  PublishOptions,
  RoomHandle,
} from "./types.js";
import { watchWake } from "./wake.js";

/** Creates a bus. `Events` maps event types to their data, for typed subscribe and publish. */
export function createEventBus<Events extends EventMap = RegisteredEvents>(
  options: EventBusOptions,
): EventBus<Events> {
  const resolved = resolveOptions(options);
  const tabs = resolved.shareAcrossTabs;
  if (tabs === null) return createBus<Events>(resolved, resolved.connector(resolved.transport));
  const shared = tabs.share(resolved, tabs.key);
  // The shared connection opened: a bus waiting out its backoff retries at once.
  return createBus<Events>(resolved, shared.transport, { onClose: shared.dispose, wakeOn: shared.onUp });
}

/** createEventBus with another transport (unit tests). Not part of the public API. */
export function createBus<Events extends EventMap = AnyEvents>(
  o: ResolvedOptions,
  createTransport: TransportFactory,
  hooks: BusHooks = {},
): EventBus<Events> {
  return new Bus<Events>(o, createTransport, hooks);
}

type AnyHandler = (event: DeliveredEvent) => void;

class Bus<E extends EventMap> implements EventBus<E> {
  readonly store: ReadonlyStore<BusState>;
  private readonly state = createBusStore();
  private readonly emitter = new Emitter<EventBusEvents>((e) => this.handlerError(e));
  private readonly router = new Router((e) => this.handlerError(e));
  private readonly channels: Channels;
  private readonly rooms: Rooms;
  private readonly outbox: Outbox;
  private readonly connection: Connection;
  private readonly unwatch: () => void;
  private names: ChannelNames = channelNames();
  /** The last connection's id, sent in the next `hello` so the relay can say why it cut it. */
  private lastConnectionId: string | undefined;
  private closed = false;

  constructor(
    o: ResolvedOptions,
    createTransport: TransportFactory,
    private readonly hooks: BusHooks,
  ) {
    const { getState, getInitialState, subscribe } = this.state;
    this.store = { getState, getInitialState, subscribe };
    const retryDelay = (attempt: number): number => backoffDelay(attempt, o.backoff, o.random);
    const error = (e: EventBusError): void => this.report(e);
    const { state, clock } = { state: this.state, clock: o.clock };
    this.channels = this.createChannels(clock, retryDelay);
    const channels = this.channels;
    const channelOf = (room: string): string => this.names.room(room);
    const rewindTruncated = (channel: string, from: StreamPosition) => this.gap(channel, from, true);
    this.rooms = new Rooms({ channels, store: state, clock, retryDelay, channelOf, error, rewindTruncated });
    this.outbox = new Outbox({
      options: o.outbox,
      clock,
      retryDelay,
      limits: () => channels.limits,
      onPending: (pending) => state.set({ pending }),
      roomReady: (room) => this.rooms.ready(room),
      onError: error,
    });
    this.connection = this.createConnection(o, createTransport, retryDelay);
    this.unwatch = watchWake(
      () => this.connection.wake(),
      () => this.connection.offline(),
    );
    hooks.wakeOn?.(() => this.connection.wake());
    if (o.autoConnect) this.connection.connect();
  }

  private createChannels(clock: Clock, retryDelay: (attempt: number) => number): Channels {
    return new Channels({
      events: {
        deliver: (event) => this.router.dispatch(event),
        gap: (channel, position) => this.gap(channel, position),
        settled: (channel, recovered, replayed) => this.settled(channel, recovered, replayed),
        error: (e) => this.report(e),
      },
      wanted: (channel) => !this.isRoomChannel(channel) || this.rooms.roomOf(channel) !== undefined,
      clock,
      retryDelay,
    });
  }

  private createConnection(
    o: ResolvedOptions,
    createTransport: TransportFactory,
    retryDelay: (attempt: number) => number,
  ): Connection {
    return new Connection({
      clock: o.clock,
      backoff: retryDelay,
      unauthorizedPoll: Math.max(o.backoff.maxDelay, 30_000),
      tokens: createTokenSource(o.token, o.getToken),
      createTransport,
      handshake: (session) => this.handshake(session),
      opened: (session) => this.opened(session),
      closed: () => this.sessionClosed(),
      status: (change) => this.statusChanged(change),
      error: (e) => this.report(e, true),
      message: (channel, message, after) => this.channels.message(channel, message, after),
      presence: (event) => this.rooms.presence(event),
      resync: (list) => this.channels.resync(list),
      left: (room, e) => this.rooms.forbidden(room, e),
      refreshed: (result) => {
        for (const channel of result.removed ?? []) this.channels.drop(channel);
        for (const sync of result.added ?? []) this.channels.synced(sync);
      },
    });
  }

  private isRoomChannel(channel: string): boolean {
    return this.names.parse(channel)?.kind === "room";
  }

  get status(): ConnectionStatus {
    return this.connection.status;
  }

  subscribe(pattern: string, handler: (event: never) => void, extra?: unknown): () => void {
    checkSubscribeExtra(extra);
    if (this.closed) return () => {};
    return this.router.add(pattern, handler as AnyHandler);
  }

  /** Subscription limited to one room's events (room handles). */
  subscribeRoom(room: string, pattern: string, handler: (event: never) => void): () => void {
    if (this.closed) return () => {};
    return this.router.add(pattern, handler as AnyHandler, (channel) => this.rooms.roomOf(channel) === room);
  }

  publish(type: string, data: unknown, options: PublishOptions): Promise<PublishAck> {
    const invalid = publishOptionsError(options);
    if (invalid) return Promise.reject(invalid);
    return this.outbox.add({ type, data, room: options.room, traceId: options.traceId });
  }

  joinRoom(room: string, options?: JoinOptions): Promise<void> {
    if (this.closed) return Promise.reject(new EventBusError("CLOSED"));
    const invalid = joinOptionsError(options);
    if (invalid) return Promise.reject(invalid);
    const rewind = options?.rewind === undefined ? undefined : toRewindRequest(options.rewind);
    return this.rooms.join(room, options?.presence === true, rewind);
  }

  leaveRoom(room: string): void {
    this.rooms.leave(room);
  }

  room(room: string, options?: JoinOptions): RoomHandle<E> {
    const invalid = joinOptionsError(options);
    if (invalid) throw invalid;
    return createRoomHandle<E>(
      {
        join: () => this.joinRoom(room, options),
        leave: () => this.leaveRoom(room),
        subscribe: (pattern, handler) => this.subscribeRoom(room, pattern, handler),
        publish: (type, data, traceId) =>
          this.publish(type, data, { room, ...(traceId !== undefined && { traceId }) }),
        members: () => this.rooms.members(room),
        store: this.store,
      },
      room,
    );
  }

  on<K extends keyof EventBusEvents>(event: K, listener: EventBusEvents[K]): () => void {
    return this.emitter.on(event, listener);
  }

  connect(): void {
    this.connection.connect();
  }

  disconnect(): void {
    this.connection.disconnect();
  }

  reconnect(): void {
    this.connection.connect();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.close();
    this.rooms.close();
    this.outbox.close();
    this.unwatch();
    this.hooks.onClose?.();
  }

  private async handshake(session: Session): Promise<HelloResult> {
    this.channels.startSession(session.request);
    const since = this.channels.positions((channel) => !this.isRoomChannel(channel));
    const previous = this.lastConnectionId;
    const hello = await session.request("hello", {
      ...(Object.keys(since).length > 0 && { since }),
      ...(previous !== undefined && { previous }),
    });
    this.lastConnectionId = hello.connectionId;
    if (hello.previous) this.cutReported(hello.previous.reason);
    this.names = channelNames(prefixOf(hello));
    this.channels.limits = { ...DEFAULT_LIMITS, ...hello.limits };
    this.state.set({ userId: hello.userId });
    this.channels.helloDone(hello.channels, (channel) => this.isRoomChannel(channel));
    return hello;
  }

  private opened(session: Session): void {
    this.state.set({ error: null });
    this.rooms.start(session);
    this.outbox.start(session.request);
  }

  private sessionClosed(): void {
    this.channels.endSession();
    this.rooms.stop();
    this.outbox.stop();
  }

  private statusChanged(change: StatusChange): void {
    const { status, previous, reason } = change;
    this.state.set({ status, previousStatus: previous, statusReason: reason });
    if (previous === "connected") this.state.set({ disconnectReason: reason });
    if (reason.code === "SLOW_CONSUMER") this.channels.cutAsSlow();
    if (status === "unauthorized") {
      this.rooms.suspend(this.state.getState().error ?? new EventBusError("UNAUTHORIZED", reason.message));
    }
    this.emitter.emit("status", change);
  }

  /** The relay says it cut the previous connection (its notice may never have arrived). */
  private cutReported(wire: unknown): void {
    const error = EventBusError.fromWire(wire);
    this.state.set({ disconnectReason: { code: error.code, message: error.message } });
    if (error.code === "SLOW_CONSUMER") this.channels.cutAsSlow();
    this.emitter.emit("error", error);
  }

  private gap(channel: string, position: StreamPosition, rewind = false): void {
    const room = this.rooms.roomOf(channel);
    const info = { channel, position, ...(room !== undefined && { room }), ...(rewind && { rewind }) };
    if (room !== undefined) {
      const gaps = (this.state.getState().rooms[room]?.gaps ?? 0) + 1;
      this.state.patchRoom(room, { gaps, recovered: false, lastGap: info });
    }
    this.emitter.emit("gap", info);
  }

  private settled(channel: string, recovered: boolean | null, replayed: number): void {
    const room = this.rooms.roomOf(channel);
    if (room !== undefined) this.state.patchRoom(room, { recovered });
    if (recovered) this.emitter.emit("recovered", { channel, replayed, ...(room !== undefined && { room }) });
  }

  private report(error: EventBusError, connectionLevel = false): void {
    if (connectionLevel) this.state.set({ error });
    this.emitter.emit("error", error);
  }

  /** A subscriber threw: tell `error` listeners, or rethrow outside our call stack if there are none. */
  private handlerError(error: unknown): void {
    if (this.emitter.listenerCount("error") > 0) this.emitter.emit("error", toEventBusError(error));
    else
      setTimeout(() => {
        throw error;
      }, 0);
  }
}
