/**
 * The backend folder (relay/backend/): the library Node services use to publish and subscribe —
 * EventBusClient (client.ts) over a Broker, its publisher, dispatcher (handlers with timeouts,
 * retries and dead letters), middleware and stats. Never imports relay/edge.
 *
 * @shared-infra/event-bus/server — the backend library for Node services: EventBusClient, the
 * ready-made `eventBus` instance (configured from the environment), the brokers it runs on,
 * `createToken` for the endpoint that gives browsers their tokens, and the wire-contract types.
 * See docs/backend.md and docs/client.md.
 */

export type { Clock } from "../../common/clock.js";
export type {
  AnyEvents,
  EnvelopeForPattern,
  EnvelopeOf,
  ErrorCode,
  EventBusClaims,
  EventData,
  EventEnvelope,
  EventMap,
  EventMetadata,
  EventType,
  GlobPattern,
  PatternOf,
  Register,
  RegisteredEvents,
  StreamPosition,
} from "../../protocol/index.js";
export { channelNames, createId, EventBusError, isEventBusError } from "../../protocol/index.js";
export {
  type CreateTokenOptions,
  createToken,
  type TokenClaims,
  type TokenKey,
} from "../auth/create-token.js";
export type { RevokeOptions } from "../auth/revocation.js";
export type { Broker, BrokerKind, BrokerStatus, HistoryOptions } from "../brokers/broker.js";
export { type BrokerConfig, brokerConfigFromEnv, createBroker } from "../brokers/create-broker.js";
export type { GroupInfo, StreamBounds, StreamInfo } from "../brokers/group-streams.js";
export { MemoryBroker } from "../brokers/memory/memory-broker.js";
export { ClusterBroker, type ClusterBrokerOptions } from "../brokers/redis/cluster-broker.js";
export { RedisBroker, type RedisBrokerOptions } from "../brokers/redis/redis-broker.js";
export type {
  EventPage,
  EventQuery,
  EventRecord,
  EventStore,
  EventStoreKind,
  StoredEvent,
  WritableEventStore,
} from "../store/event-store.js";
export { MemoryEventStore } from "../store/memory-store.js";
export {
  type ArchiveOptions,
  PostgresEventStore,
  type PostgresStoreOptions,
} from "../store/postgres/postgres-store.js";
export type { EventReplayResult, ReplayHandler, ReplayTarget } from "../store/replay.js";
export type { RetentionOptions, StoreConfig } from "../store/store-config.js";
export type { StoreWriterStats } from "../store/store-writer.js";
export type { PinnedAddress, Resolver } from "../webhooks/address-guard.js";
export type { BreakerState } from "../webhooks/circuit-breaker.js";
export type { WebhookAttempt } from "../webhooks/endpoint-worker.js";
export {
  createWebhookDispatcher,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
  type WebhookEndpointStats,
} from "../webhooks/webhook-dispatcher.js";
export {
  DEFAULT_RETRY_SCHEDULE,
  exponentialSchedule,
  type WebhookBreakerOptions,
  type WebhookDeliveryOptions,
  type WebhookEndpointConfig,
} from "../webhooks/webhook-options.js";
export type { PendingInfo, WebhookDeadLetter, WebhookJob, WebhookStore } from "../webhooks/webhook-store.js";
export { EventBusClient } from "./client.js";
export type { DeadLetter, DeadLetters, ReplayResult } from "./dead-letters.js";
export { defaultEventBus, eventBus } from "./default-instance.js";
export type { EventsApi } from "./events-api.js";
export type { GroupDefaults } from "./groups/group-options.js";
export type { GroupStats } from "./groups/group-stats.js";
export type { Logger, LogLevel } from "./logger.js";
export type { Middleware, NextMiddleware, OutgoingEvent, ReceiveContext } from "./middleware.js";
export type { Member } from "./room-members.js";
export type {
  BatchingOptions,
  EventBusConfig,
  EventBusStats,
  EventHandler,
  HealthState,
  HealthStatus,
  PatternHandler,
  PublishOptions,
  PublishResult,
  ReceivedEvent,
  RetryPolicy,
  StoreHealth,
  SubscribeOptions,
  Subscription,
  TargetedPublishOptions,
} from "./types.js";
