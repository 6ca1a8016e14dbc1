/**
 * The keys each options object of the backend library accepts, listed once per type (the
 * compiler checks each list against its type), and the check that refuses any other key with
 * INVALID_OPTIONS naming the key and the closest valid one. Keys of the seed documents' API
 * (`eventBusUrl`, `authToken`, `maxRetries`, …) get a hint saying what replaces them.
 */
import { findUnknownOption, type OptionKeys, optionKeys } from "../../common/known-keys.js";
import { EventBusError } from "../../protocol/errors.js";
import type { Limits } from "../../protocol/limits.js";
import type { RetentionOptions, StoreConfig } from "../store/store-config.js";
import type { GroupDefaults } from "./groups/group-options.js";
import type {
  BatchingOptions,
  EventBusConfig,
  PublishOptions,
  RetryPolicy,
  SubscribeOptions,
  TargetedPublishOptions,
} from "./types.js";

/** Seed 000/002 configuration keys → what replaces them. */
const SEED_CONFIG_KEYS: Readonly<Record<string, string>> = {
  eventBusUrl:
    "Services talk to Redis directly (there is no event-bus server to call): give `redis: process.env.EVENT_BUS_REDIS_URL` (or set EVENT_BUS_REDIS_URL), or `cluster`.",
  authToken:
    "Services need no token: put the Redis password in the URL (rediss://:password@host:6380) or in `redis: { password }`. Browser tokens come from createToken.",
  maxRetries: "Handler retries are `retry: { maxRetries }` (per subscription: subscribe's `maxRetries`).",
  batchSize: "Publish batching is `batching: { batchSize, batchInterval }`.",
  batchInterval: "Publish batching is `batching: { batchSize, batchInterval }`.",
  enableMetrics:
    "Metrics are always kept: read them with getStats(); relays serve Prometheus /metrics. Remove this option.",
  performance:
    "`performance.batchSize` / `batchInterval` are `batching: { … }`; `maxRetries` / `retryDelay` are `retry: { maxRetries, initialDelay }`.",
};

const RETRY_KEYS = optionKeys<RetryPolicy>(
  { maxRetries: true, initialDelay: true, maxDelay: true, backoffMultiplier: true },
  { retryDelay: "The first delay is `initialDelay` (ms)." },
);

const LIMIT_KEYS = optionKeys<Limits>({ maxEventBytes: true, maxDataBytes: true, maxDepth: true });

export const CONFIG_KEYS: OptionKeys = optionKeys<EventBusConfig>(
  {
    serviceName: true,
    redis: true,
    cluster: true,
    clusterOptions: true,
    broker: true,
    prefix: true,
    retry: RETRY_KEYS,
    timeout: true,
    batching: optionKeys<BatchingOptions>({ batchSize: true, batchInterval: true }),
    history: optionKeys<NonNullable<EventBusConfig["history"]>>({
      maxLength: true,
      maxBytes: true,
      ttl: true,
    }),
    offline: optionKeys<NonNullable<EventBusConfig["offline"]>>({ queueSize: true, timeoutMs: true }),
    deadLetters: optionKeys<NonNullable<EventBusConfig["deadLetters"]>>({ maxLength: true }),
    limits: LIMIT_KEYS,
    logger: true,
    logLevel: true,
    clock: true,
    groups: optionKeys<Partial<GroupDefaults>>({
      maxLength: true,
      maxAgeMs: true,
      claimIdleMs: true,
      pollIntervalMs: true,
      prefetch: true,
      stopTimeoutMs: true,
    }),
    store: optionKeys<StoreConfig>({
      postgres: true,
      eventStore: true,
      types: true,
      maxQueued: true,
      batchSize: true,
      overflow: true,
      aggregateId: true,
      flushTimeoutMs: true,
      retention: optionKeys<RetentionOptions>({ maxAgeMs: true, mode: true, everyMs: true }),
    }),
  },
  SEED_CONFIG_KEYS,
);

export const SUBSCRIBE_KEYS: OptionKeys = optionKeys<SubscribeOptions>({
  timeout: true,
  retryOnError: true,
  maxRetries: true,
  name: true,
  group: true,
  concurrency: true,
  consumer: true,
});

export const PUBLISH_KEYS: OptionKeys = optionKeys<PublishOptions>({
  traceId: true,
  source: true,
  userId: true,
  room: true,
  id: true,
  aggregateId: true,
});

export const TARGETED_PUBLISH_KEYS: OptionKeys = optionKeys<TargetedPublishOptions>(
  { traceId: true, source: true, id: true, aggregateId: true },
  {
    userId: "The user is the channel here (publishToUser's first argument); metadata.userId is set from it.",
    room: "The room is the channel here (publishToRoom's first argument); metadata.room is set from it.",
  },
);

/** Throws INVALID_OPTIONS for the first key of `value` that `spec` does not list. */
export function checkOptionKeys(where: string, value: unknown, spec: OptionKeys): void {
  const unknown = findUnknownOption(where, value, spec);
  if (unknown) throw new EventBusError("INVALID_OPTIONS", unknown.problem, unknown);
}
