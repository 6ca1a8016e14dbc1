/**
 * EventBusClient: what a backend service imports to publish and subscribe.
 *
 *   const bus = new EventBusClient<PhotoEvents>({ serviceName: "photo-api", redis: process.env.REDIS_URL });
 *   await bus.publish("photo.uploaded", { photoId, userId, filename, size, uploadedAt });
 *   await bus.publishToUser(userId, "notification.new", { title, message });
 *   await bus.subscribe("photo.processing.*", async (event) => { … }, { timeout: 5000 });
 *
 * It connects lazily on first use (or call connect()). See docs/backend.md.
 */
import type {
  EnvelopeOf,
  EventData,
  EventMap,
  EventType,
  PatternOf,
  RegisteredEvents,
} from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";
import { hasGlobSyntax } from "../../protocol/glob.js";
import { createId } from "../../protocol/ids.js";
import { assertTypePattern } from "../../protocol/names.js";
import { type RevokeOptions, revokeUserSessions } from "../auth/revocation.js";
import type { Broker } from "../brokers/broker.js";
import { createParts } from "./client-parts.js";
import { type BuiltBroker, resolveSettings, type Settings } from "./config.js";
import type { DeadLetters } from "./dead-letters.js";
import type { EventsApi } from "./events-api.js";
import type { GroupSubscriptions } from "./groups/group-subscriptions.js";
import { checkHealth } from "./health.js";
import { logBrokerEvents } from "./logger.js";
import { type BackendMetrics, createBackendMetrics } from "./metrics.js";
import type { Middleware, MiddlewareChain } from "./middleware.js";
import type { Publisher, Target } from "./publisher.js";
import { type Member, roomMembers } from "./room-members.js";
import type { StatsTracker } from "./stats.js";
import type { StorePart } from "./store-part.js";
import { optionError, roomPatternHint, subscribePolicy } from "./subscribe-options.js";
import type { RouteKind, SubscriptionTable } from "./subscriptions.js";
import type {
  EventBusConfig,
  EventBusStats,
  EventHandler,
  HealthStatus,
  PatternHandler,
  PublishOptions,
  PublishResult,
  SubscribeOptions,
  Subscription,
  TargetedPublishOptions,
} from "./types.js";

export class EventBusClient<E extends EventMap = RegisteredEvents> {
  readonly serviceName: string;
  readonly deadLetters: DeadLetters;
  /** Stored events: read and replay (docs/backend.md, "Event store and replay"). */
  readonly events: EventsApi;
  private readonly settings: Settings;
  private readonly stats: StatsTracker;
  private readonly middleware: MiddlewareChain;
  private readonly table: SubscriptionTable;
  private readonly groups: GroupSubscriptions;
  private readonly publisher: Publisher;
  private readonly store: StorePart;
  private built: BuiltBroker | undefined;
  private closed = false;
  private metricsRegistry: BackendMetrics | undefined;

  constructor(config: EventBusConfig) {
    this.settings = resolveSettings(config);
    this.serviceName = this.settings.serviceName;
    const parts = createParts(config, this.settings, () => this.broker());
    ({ stats: this.stats, middleware: this.middleware, table: this.table, groups: this.groups } = parts);
    ({ publisher: this.publisher, store: this.store, deadLetters: this.deadLetters } = parts);
    this.events = parts.store.events;
  }

  // ---- connection ----
  /** Connects to the broker (idempotent). Rejects with BROKER_UNAVAILABLE when it cannot. */
  async connect(): Promise<void> {
    await this.broker().connect();
  }

  /** Sends what is still pending, then closes the connections. The client cannot be used again. */
  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.groups.stopAll();
    await this.publisher.drain();
    await this.store.close(this.settings);
    const built = this.built;
    if (!built) return;
    if (built.owned) {
      this.table.clear();
      await built.broker.close();
    } else {
      await Promise.all(this.table.ids().map((id) => this.table.remove(id)));
    }
  }

  isConnected(): boolean {
    return !this.closed && this.built?.broker.status === "ready";
  }

  // ---- publishing ----
  /** Live-only, on the event type's channel (service-to-service). */
  publish<K extends EventType<E>>(
    type: K,
    data: EventData<E, K>,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    return this.send({ kind: "event" }, type, data, options);
  }

  /** Recoverable, on `user:{userId}`: every device of that user. */
  publishToUser<K extends EventType<E>>(
    userId: string,
    type: K,
    data: EventData<E, K>,
    options?: TargetedPublishOptions,
  ): Promise<PublishResult> {
    return this.send({ kind: "user", userId }, type, data, options);
  }

  /** Seed 000's name for publishToUser (the same method). */
  sendToUser<K extends EventType<E>>(
    userId: string,
    type: K,
    data: EventData<E, K>,
    options?: TargetedPublishOptions,
  ): Promise<PublishResult> {
    return this.publishToUser(userId, type, data, options);
  }

  /** Recoverable, on `room:{room}`: every member of the room. */
  publishToRoom<K extends EventType<E>>(
    room: string,
    type: K,
    data: EventData<E, K>,
    options?: TargetedPublishOptions,
  ): Promise<PublishResult> {
    return this.send({ kind: "room", room }, type, data, options);
  }

  /** Recoverable, on `role:{role}`: every socket whose token has the role (e.g. all admins). */
  publishToRole<K extends EventType<E>>(
    role: string,
    type: K,
    data: EventData<E, K>,
    options?: TargetedPublishOptions,
  ): Promise<PublishResult> {
    return this.send({ kind: "role", role }, type, data, options);
  }

  /** Recoverable, on `broadcast`: every connected client. */
  broadcast<K extends EventType<E>>(
    type: K,
    data: EventData<E, K>,
    options?: TargetedPublishOptions,
  ): Promise<PublishResult> {
    return this.send({ kind: "broadcast" }, type, data, options);
  }

  // ---- subscribing ----
  /** `pattern`: an event type (`photo.uploaded`) or a Redis glob over event types (`photo.*`). */
  subscribe<P extends PatternOf<E>>(
    pattern: P,
    handler: PatternHandler<E, P>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    try {
      assertTypePattern(pattern, roomPatternHint);
      const glob = hasGlobSyntax(pattern);
      const name = glob ? this.settings.names.prefix + pattern : this.settings.names.event(pattern);
      return this.addSubscription(
        glob ? "pattern" : "channel",
        name,
        pattern,
        handler as EventHandler,
        options,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Everything published to a room (what its browser members receive). */
  subscribeToRoom(room: string, handler: EventHandler<EnvelopeOf<E>>, options: SubscribeOptions = {}) {
    try {
      const channel = this.settings.names.room(room);
      return this.addSubscription("channel", channel, `room:${room}`, handler as EventHandler, options);
    } catch (error) {
      return Promise.reject<Subscription>(error);
    }
  }

  /**
   * Who is in a room now, as its browsers see it: one member per user, with the number of their
   * connections (read from the relays' presence in the broker).
   */
  getRoomMembers(room: string): Promise<Member[]> {
    if (this.closed) return Promise.reject(closedError());
    return roomMembers(this.broker(), this.settings.names, room, this.serviceName);
  }

  /** Resolves to false when there was no such subscription. */
  unsubscribe(subscriptionId: string): Promise<boolean> {
    if (this.groups.has(subscriptionId)) return this.groups.remove(subscriptionId);
    return this.table.remove(subscriptionId);
  }

  /** Adds publish/receive middleware; returns a function that removes it. */
  use(middleware: Middleware): () => void {
    return this.middleware.add(middleware);
  }

  // ---- sessions ----
  /**
   * Ends every session of a user on every relay at once (notice TOKEN_REVOKED), and makes relays
   * refuse the user's tokens issued before now. Uses this client's broker and prefix.
   */
  revokeUserSessions(userId: string, options: Omit<RevokeOptions, "prefix"> = {}): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    const prefix = this.settings.names.prefix;
    return revokeUserSessions(this.broker(), userId, { source: this.serviceName, ...options, prefix });
  }

  // ---- monitoring ----
  async healthCheck(): Promise<HealthStatus> {
    const broker = this.broker();
    if (broker.status === "connecting") await broker.connect().catch(() => {});
    const health = await checkHealth(broker, this.table.size + this.groups.size, this.settings.clock);
    const store = this.store.health();
    if (!store) return health;
    const status = health.status === "healthy" && store.status !== "ok" ? "degraded" : health.status;
    return { ...health, status, store };
  }

  async getStats(): Promise<EventBusStats> {
    const groups = this.groups.size > 0 ? await this.groups.stats() : [];
    const store = this.store.stats();
    return { ...this.stats.snapshot(this.table.size + this.groups.size), groups, ...(store && { store }) };
  }

  /**
   * Prometheus text for a service's /metrics: publish/deliver counters, and per consumer group
   * the pending count, lag, oldest pending age and stream length against its bound, and the event
   * store's queue. Serve it with your HTTP framework.
   */
  metrics(): Promise<string> {
    this.metricsRegistry ??= createBackendMetrics(() => this.getStats());
    return this.metricsRegistry.registry.metrics();
  }

  // ---- internals ----
  private send(
    target: Target,
    type: string,
    data: unknown,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    if (this.closed) return Promise.reject(closedError());
    return this.publisher.send(target, type, data, options);
  }

  private async addSubscription(
    kind: RouteKind,
    name: string,
    pattern: string,
    handler: EventHandler,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    if (this.closed) throw closedError();
    const policy = subscribePolicy(handler, options, this.settings);
    if (options.group !== undefined) {
      if (kind !== "channel" || this.settings.names.parse(name)?.kind !== "event") {
        throw optionError("`group` works with an exact event type (not a glob, not a room)");
      }
      const id = this.newId(options.name);
      await this.groups.add({
        id,
        channel: name,
        type: pattern,
        entry: { pattern, handler, policy },
        options: { ...options, group: options.group },
      });
      return { id, pattern, unsubscribe: () => this.unsubscribe(id) };
    }
    if (options.name !== undefined && this.groups.has(options.name)) this.newId(options.name);
    const id = await this.table.add({
      kind,
      name,
      entry: { pattern, handler, policy },
      requestedId: options.name,
    });
    return { id, pattern, unsubscribe: () => this.table.remove(id) };
  }

  /** A subscription id: the requested name (unique among this client's subscriptions) or a new id. */
  private newId(requested: string | undefined): string {
    if (requested === undefined) return createId();
    if (this.groups.has(requested) || this.table.ids().includes(requested)) {
      throw optionError(`a subscription named ${JSON.stringify(requested)} already exists`);
    }
    return requested;
  }

  /** The broker, built on first use; its status changes and connection errors are logged. */
  private broker(): Broker {
    if (this.closed) throw closedError();
    if (!this.built) {
      this.built = this.settings.buildBroker();
      logBrokerEvents(this.built.broker, this.settings.logger);
      // Connect at once, so that the first operations queue in order behind the connection
      // (a failure reaches each of them as BROKER_UNAVAILABLE).
      this.built.broker.connect().catch(() => {});
    }
    return this.built.broker;
  }
}

function closedError(): EventBusError {
  return new EventBusError("CLOSED", "This EventBusClient was disconnected; create a new one.");
}
