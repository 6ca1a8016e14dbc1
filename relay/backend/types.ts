/** The public types of the backend library (`@shared-infra/event-bus/server`). */

import type { Clock } from "../../common/clock.js";
import type { EnvelopeForPattern, EventEnvelope, EventMap } from "../../protocol/envelope.js";
import type { Limits } from "../../protocol/limits.js";
import type { StreamPosition } from "../../protocol/position.js";
import type { Broker, BrokerKind, BrokerStatus } from "../brokers/broker.js";
import type { ClusterConnectionOptions } from "../brokers/redis/cluster-broker.js";
import type { RedisOptions } from "../brokers/redis/redis-connection.js";
import type { EventStoreKind } from "../store/event-store.js";
import type { StoreConfig } from "../store/store-config.js";
import type { StoreWriterStats } from "../store/store-writer.js";
import type { GroupDefaults } from "./groups/group-options.js";
import type { GroupStats } from "./groups/group-stats.js";
import type { Logger, LogLevel } from "./logger.js";
import type { Middleware } from "./middleware.js";

export interface RetryPolicy {
  /** Retries after the first attempt. Default 3. */
  readonly maxRetries: number;
  /** Delay before the first retry, ms. Default 1000. */
  readonly initialDelay: number;
  /** Cap of any delay, ms. Default 10 000. */
  readonly maxDelay: number;
  /** Each delay is the previous one times this. Default 2. */
  readonly backoffMultiplier: number;
}

export interface BatchingOptions {
  /** Publishes sent together as one pipeline. */
  readonly batchSize: number;
  /** Longest a publish waits for its batch to fill, ms (0: until the end of the current tick). */
  readonly batchInterval: number;
}

export interface EventBusConfig {
  /** Goes into every envelope's `metadata.source` and names the dead-letter stream. */
  readonly serviceName: string;
  /**
   * The broker. Give one of `redis`, `cluster` or `broker`; with none, the environment decides
   * (EVENT_BUS_REDIS_URL, EVENT_BUS_REDIS_CLUSTER, EVENT_BUS_BROKER=memory; with none of them, the
   * memory broker with a notice outside production, CONFIG_INVALID in production). `redis:
   * process.env.REDIS_URL` with the variable unset counts as not given.
   */
  readonly redis?: string | RedisOptions | undefined;
  readonly cluster?: readonly { readonly host: string; readonly port: number }[];
  readonly clusterOptions?: ClusterConnectionOptions;
  /** "memory": the in-process broker (shared with an embedded relay); or a Broker you manage. */
  readonly broker?: "memory" | Broker;
  /** Channel prefix. Default EVENT_BUS_PREFIX or none. */
  readonly prefix?: string;
  /** Handler retries. Defaults { maxRetries: 3, initialDelay: 1000, maxDelay: 10000, backoffMultiplier: 2 }. */
  readonly retry?: Partial<RetryPolicy>;
  /** Handler timeout, ms. Default 30 000. */
  readonly timeout?: number;
  /** Group publishes into pipelines. Default off (each publish is sent at once; still auto-pipelined per tick). */
  readonly batching?: Partial<BatchingOptions>;
  /** History of recoverable channels: messages and bytes kept, ttl in ms. Defaults 1000, 8 MiB, 5 minutes. */
  readonly history?: { readonly maxLength?: number; readonly maxBytes?: number; readonly ttl?: number };
  /** While Redis is unreachable: publishes kept (default 10 000) and for how long, ms (default 10 000). */
  readonly offline?: { readonly queueSize?: number; readonly timeoutMs?: number };
  /**
   * Consumer groups (`subscribe(type, h, { group })`): the bounds of each event type's group
   * stream, the idle time after which a dead consumer's events are claimed, and more. Defaults:
   * maxLength 100 000, maxAgeMs 24 h, claimIdleMs 30 000, pollIntervalMs 1000, prefetch 16,
   * stopTimeoutMs 10 000.
   */
  readonly groups?: Partial<GroupDefaults>;
  /**
   * The event store (docs/backend.md, "Event store and replay"): PostgreSQL (`{ postgres: url }`)
   * or any writable store, which event types to keep, the write queue's bound. Default:
   * EVENT_BUS_STORE_URL when set, else nothing is written (reads use the Redis history).
   */
  readonly store?: StoreConfig;
  /** Dead letters kept (a capped stream). Default 10 000. */
  readonly deadLetters?: { readonly maxLength?: number };
  /** Size limits; both ends must agree. Default 1 MB per event, 512 KB of data. */
  readonly limits?: Partial<Limits>;
  /**
   * The app's logger: a pino instance (its child tagged `component: "event-bus"` is used, at the
   * app's level) or anything with debug/info/warn/error. Default: pino to stdout at `logLevel`.
   */
  readonly logger?: Logger;
  /** Level of the default logger. Default EVENT_BUS_LOG_LEVEL or "warn" (quiet unless something is wrong). */
  readonly logLevel?: LogLevel;
  /** Timers and clock for retries and timeouts (tests may pass fake ones). Default: the real ones. */
  readonly clock?: Clock;
}

export interface PublishOptions {
  readonly traceId?: string;
  /** Default: the service name. */
  readonly source?: string;
  /** Recorded in the envelope's metadata (the channel stays the event type's). */
  readonly userId?: string;
  readonly room?: string;
  /**
   * The envelope id (UUIDv7 or ULID). Default: a new UUIDv7. Given, it also makes a publish to a
   * recoverable channel idempotent for 10 minutes: publishing the same id again to the same channel
   * stores nothing and resolves to the first publish's position (`duplicate: true`). Retry a publish
   * that rejected with BROKER_UNAVAILABLE or TIMEOUT ("may or may not have been applied") this way.
   * Such publishes are sent one by one, not batched.
   */
  readonly id?: string;
  /** What the event is about (`metadata.aggregateId`): event stores index it for replay by aggregate. */
  readonly aggregateId?: string;
}

export type TargetedPublishOptions = Pick<PublishOptions, "traceId" | "source" | "id" | "aggregateId">;

export interface PublishResult {
  /** The envelope id. */
  readonly id: string;
  readonly channel: string;
  /** On recoverable channels (user, room, role, broadcast): the position in the channel's history. */
  readonly offset?: number;
  readonly epoch?: string;
  /** A publish middleware dropped the event: nothing was sent. */
  readonly dropped?: boolean;
  /** This id was already published on the channel (a retry, see PublishOptions.id): nothing was stored again. */
  readonly duplicate?: boolean;
}

export interface SubscribeOptions {
  /** Timeout of one attempt, ms. Default: the client's `timeout`. */
  readonly timeout?: number;
  /** Retry a failed or timed-out attempt. Default true. */
  readonly retryOnError?: boolean;
  /** Default: the client's retry.maxRetries. */
  readonly maxRetries?: number;
  /**
   * A stable name for this subscription, used as its id: dead letters record it, and replay()
   * goes back to the subscription of that name, also after a restart. Default: a generated id.
   */
  readonly name?: string;
  /**
   * Competing consumers: among every subscription of this event type with the same group name —
   * in any process — each event is handled by one of them, at least once, and events published
   * while none is running are kept (bounded by `groups.maxLength`/`maxAgeMs`). Exact event types
   * only (no globs). Default: none (live fan-out: every subscription gets every event).
   */
  readonly group?: string;
  /** With `group`: events this subscription handles at once. Default 1 (in stream order). */
  readonly concurrency?: number;
  /** With `group`: this consumer's name in the group. Default `<host>:<pid>:<random>`. */
  readonly consumer?: string;
}

/** What a handler gets: the envelope, plus where it came from. */
export type ReceivedEvent<Envelope extends EventEnvelope = EventEnvelope> = Envelope & {
  /** The channel it was published on. */
  readonly channel: string;
  /** Its position in the channel's history, on recoverable channels (absent for raw PUBLISHes). */
  readonly position?: StreamPosition;
  /**
   * 1 for the first attempt, 2 for the first retry, … In a consumer group, attempts are counted
   * across consumers: an event taken over after its consumer died has attempt ≥ 2.
   */
  readonly attempt: number;
  /** The consumer group that delivered it (group subscriptions only). */
  readonly group?: string;
};

export type EventHandler<Envelope extends EventEnvelope = EventEnvelope> = (
  event: ReceivedEvent<Envelope>,
) => unknown;

export type PatternHandler<E extends EventMap, P extends string> = EventHandler<EnvelopeForPattern<E, P>>;

export interface Subscription {
  readonly id: string;
  readonly pattern: string;
  unsubscribe(): Promise<boolean>;
}

export interface EventBusStats {
  readonly eventsPublished: number;
  /** Messages that reached a subscription of this client (counted once per subscription route). */
  readonly eventsReceived: number;
  /** Handler runs that succeeded (after retries, if any). */
  readonly eventsDelivered: number;
  /** Handler runs that failed every attempt and went to the dead-letter stream. */
  readonly eventsFailed: number;
  readonly activeSubscriptions: number;
  /** eventsFailed / (eventsDelivered + eventsFailed); 0 before any handler finished. */
  readonly errorRate: number;
  /** Published plus received, per second, over the last 10 seconds. */
  readonly messagesPerSecond: number;
  /** Mean publish → handler time (from metadata.timestamp), ms, over the last 1000 deliveries. */
  readonly averageLatency: number;
  /** One entry per group subscription of this client: the group's backlog and this consumer's counts. */
  readonly groups: readonly GroupStats[];
  /** The event store's writer, when a store is configured. */
  readonly store?: StoreWriterStats;
}

export type HealthState = "healthy" | "degraded" | "unhealthy";

export interface HealthStatus {
  readonly status: HealthState;
  readonly broker: {
    readonly kind: BrokerKind;
    readonly status: BrokerStatus;
    readonly connected: boolean;
    /** Round trip of a PING, ms; null when it failed. */
    readonly latencyMs: number | null;
  };
  readonly subscriptions: number;
  /** The event store, when one is configured: `retrying` makes the whole status `degraded`. */
  readonly store?: StoreHealth;
  readonly checkedAt: string;
}

export interface StoreHealth {
  readonly kind: EventStoreKind;
  /** `retrying`: writes fail (the store is down); events wait in the queue. */
  readonly status: "ok" | "retrying";
  readonly queued: number;
  readonly maxQueued: number;
  readonly lastError: string | null;
}

export type { Middleware };
