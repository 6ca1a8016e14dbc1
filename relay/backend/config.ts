/**
 * EventBusConfig → validated settings with defaults, and the broker they describe. Explicit
 * options win; what is left out comes from the environment (EVENT_BUS_REDIS_URL,
 * EVENT_BUS_REDIS_CLUSTER, EVENT_BUS_PREFIX, EVENT_BUS_LOG_LEVEL); with no broker anywhere, the
 * in-process memory broker is used and a one-line notice says so.
 */

import { type Clock, systemClock } from "../../common/clock.js";
import { type ChannelNames, channelNames } from "../../protocol/channels.js";
import { EventBusError } from "../../protocol/errors.js";
import { type Limits, MAX_SOURCE_LENGTH, resolveLimits } from "../../protocol/limits.js";
import type { Broker, HistoryOptions } from "../brokers/broker.js";
import {
  type BrokerConfig,
  brokerConfigFromEnv,
  createBroker,
  type RedisTuning,
} from "../brokers/create-broker.js";
import { MemoryBroker } from "../brokers/memory/memory-broker.js";
import { RedisBroker } from "../brokers/redis/redis-broker.js";
import { checkRedisUrl } from "../brokers/redis/redis-url.js";
import { appLogger, createLogger, isLogLevel, type Logger } from "./logger.js";
import type { BatchingOptions, EventBusConfig, RetryPolicy } from "./types.js";

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxRetries: 3,
  initialDelay: 1000,
  maxDelay: 10_000,
  backoffMultiplier: 2,
});
export const DEFAULT_HANDLER_TIMEOUT = 30_000;
export const DEFAULT_DEAD_LETTER_MAX = 10_000;

type Env = Readonly<Record<string, string | undefined>>;

export interface Settings {
  readonly serviceName: string;
  readonly names: ChannelNames;
  readonly retry: RetryPolicy;
  readonly timeout: number;
  readonly batching: BatchingOptions | undefined;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly deadLetterMax: number;
}

export function resolveSettings(config: EventBusConfig, env: Env = process.env): Settings {
  const serviceName = config.serviceName;
  if (typeof serviceName !== "string" || serviceName.length === 0 || serviceName.length > MAX_SOURCE_LENGTH) {
    invalid(`serviceName must be a non-empty string of at most ${MAX_SOURCE_LENGTH} characters`);
  }
  const chosen = [config.redis, config.cluster, config.broker].filter((v) => v !== undefined);
  if (chosen.length > 1) invalid("give only one of redis, cluster and broker");
  if (typeof config.redis === "string") checkRedisUrl(config.redis, "EventBusClient option `redis`");
  const level = config.logLevel ?? (env.EVENT_BUS_LOG_LEVEL?.trim() || "warn");
  if (!isLogLevel(level)) invalid(`logLevel ${JSON.stringify(level)} is not a pino level`);
  const retry = { ...DEFAULT_RETRY, ...defined(config.retry ?? {}) };
  for (const [key, value] of Object.entries(retry)) nonNegative(`retry.${key}`, value);
  const timeout = config.timeout ?? DEFAULT_HANDLER_TIMEOUT;
  positive("timeout", timeout);
  return {
    serviceName,
    names: channelNames(config.prefix ?? env.EVENT_BUS_PREFIX?.trim() ?? ""),
    retry,
    timeout,
    batching: resolveBatching(config.batching),
    limits: resolveLimits(config.limits),
    logger: config.logger ? appLogger(config.logger) : createLogger(serviceName, level),
    clock: config.clock ?? systemClock,
    deadLetterMax: config.deadLetters?.maxLength ?? DEFAULT_DEAD_LETTER_MAX,
  };
}

function resolveBatching(batching: Partial<BatchingOptions> | undefined): BatchingOptions | undefined {
  if (!batching) return undefined;
  const resolved = { batchSize: batching.batchSize ?? 100, batchInterval: batching.batchInterval ?? 0 };
  if (!Number.isInteger(resolved.batchSize) || resolved.batchSize < 1)
    invalid("batching.batchSize must be ≥ 1");
  nonNegative("batching.batchInterval", resolved.batchInterval);
  return resolved.batchSize === 1 ? undefined : resolved;
}

export interface BuiltBroker {
  readonly broker: Broker;
  /** Created here, so disconnect() closes it. */
  readonly owned: boolean;
}

/** Builds the configured broker (called on first use, not at construction). */
export function buildBroker(config: EventBusConfig, settings: Settings, env: Env = process.env): BuiltBroker {
  if (config.broker !== undefined && config.broker !== "memory")
    return { broker: config.broker, owned: false };
  const history = historyOf(config);
  const prefix = settings.names.prefix;
  const tuning: RedisTuning = {
    ...(config.offline?.queueSize !== undefined && { offlineQueueSize: config.offline.queueSize }),
    ...(config.offline?.timeoutMs !== undefined && { offlineTimeoutMs: config.offline.timeoutMs }),
  };
  if (config.broker === "memory") return { broker: new MemoryBroker({ history }), owned: true };
  if (typeof config.redis === "object") {
    return { broker: new RedisBroker({ connection: config.redis, history, prefix, ...tuning }), owned: true };
  }
  const base: BrokerConfig =
    typeof config.redis === "string"
      ? { broker: "redis", url: config.redis }
      : config.cluster
        ? {
            broker: "cluster",
            nodes: config.cluster,
            ...(config.clusterOptions && { clusterOptions: config.clusterOptions }),
          }
        : brokerConfigFromEnv(env);
  if (base.broker === "memory" && config.redis === undefined && config.cluster === undefined) {
    settings.logger.warn(
      "event-bus: neither EVENT_BUS_REDIS_URL nor EVENT_BUS_REDIS_CLUSTER is set; using the in-process memory broker (events stay in this process).",
    );
  }
  const withOptions =
    base.broker === "memory" ? { ...base, history, prefix } : { ...base, history, prefix, tuning };
  return { broker: createBroker(withOptions), owned: true };
}

function historyOf(config: EventBusConfig): Partial<HistoryOptions> {
  return {
    ...(config.history?.maxLength !== undefined && { maxLength: config.history.maxLength }),
    ...(config.history?.maxBytes !== undefined && { maxBytes: config.history.maxBytes }),
    ...(config.history?.ttl !== undefined && { ttlMs: config.history.ttl }),
  };
}

function invalid(problem: string): never {
  throw new EventBusError("CONFIG_INVALID", `EventBusClient: ${problem}.`);
}

function positive(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    invalid(`${name} must be a positive number`);
}

function nonNegative(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) invalid(`${name} must be ≥ 0`);
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
