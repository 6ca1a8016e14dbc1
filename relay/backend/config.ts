/**
 * EventBusConfig → validated settings with defaults, and the broker they describe. Explicit
 * options win; what is left out comes from the environment (EVENT_BUS_REDIS_URL,
 * EVENT_BUS_REDIS_CLUSTER, EVENT_BUS_BROKER, EVENT_BUS_PREFIX, EVENT_BUS_LOG_LEVEL). The broker is
 * chosen at construction (so a bad or missing setting fails there) and built on first use.
 *
 * The in-process memory broker is used only when asked for (`broker: "memory"`,
 * EVENT_BUS_BROKER=memory) or, with no broker configured at all, outside production — with a
 * notice saying how to configure Redis, since two services on memory brokers never see each
 * other's events. With NODE_ENV=production and no broker configured, construction fails.
 */

import { type Clock, systemClock } from "../../common/clock.js";
import { type ChannelNames, channelNames } from "../../protocol/channels.js";
import { EventBusError } from "../../protocol/errors.js";
import { type Limits, MAX_SOURCE_LENGTH, resolveLimits } from "../../protocol/limits.js";
import type { Broker, HistoryOptions } from "../brokers/broker.js";
import {
  type BrokerConfig,
  createBroker,
  explicitBrokerFromEnv,
  type RedisTuning,
} from "../brokers/create-broker.js";
import { MemoryBroker } from "../brokers/memory/memory-broker.js";
import { RedisBroker } from "../brokers/redis/redis-broker.js";
import { checkRedisUrl } from "../brokers/redis/redis-url.js";
import { appLogger, createLogger, isLogLevel, type Logger } from "./logger.js";
import { CONFIG_KEYS, checkOptionKeys } from "./option-keys.js";
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
  /** Builds the broker chosen at construction (called on first use). */
  readonly buildBroker: () => BuiltBroker;
}

export function resolveSettings(config: EventBusConfig, env: Env = process.env): Settings {
  checkOptionKeys("new EventBusClient", config, CONFIG_KEYS);
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
  const names = channelNames(config.prefix ?? env.EVENT_BUS_PREFIX?.trim() ?? "");
  const logger = config.logger ? appLogger(config.logger) : createLogger(serviceName, level);
  return {
    serviceName,
    names,
    retry,
    timeout,
    batching: resolveBatching(config.batching),
    limits: resolveLimits(config.limits),
    logger,
    clock: config.clock ?? systemClock,
    deadLetterMax: config.deadLetters?.maxLength ?? DEFAULT_DEAD_LETTER_MAX,
    buildBroker: chooseBroker(config, names.prefix, logger, env),
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

/**
 * Decides now which broker the configuration names (throwing CONFIG_INVALID if none may be used)
 * and returns the function that builds it on first use.
 */
export function chooseBroker(
  config: EventBusConfig,
  prefix: string,
  logger: Logger,
  env: Env = process.env,
): () => BuiltBroker {
  const given = config.broker;
  if (given !== undefined && given !== "memory") return () => ({ broker: given, owned: false });
  const history = historyOf(config);
  const tuning: RedisTuning = {
    ...(config.offline?.queueSize !== undefined && { offlineQueueSize: config.offline.queueSize }),
    ...(config.offline?.timeoutMs !== undefined && { offlineTimeoutMs: config.offline.timeoutMs }),
  };
  if (given === "memory") return () => ({ broker: new MemoryBroker({ history }), owned: true });
  const { redis } = config;
  if (typeof redis === "object") {
    return () => ({
      broker: new RedisBroker({ connection: redis, history, prefix, ...tuning }),
      owned: true,
    });
  }
  const base = configuredBroker(config, env) ?? unconfiguredMemory(logger, env);
  const withOptions =
    base.broker === "memory" ? { ...base, history, prefix } : { ...base, history, prefix, tuning };
  return () => ({ broker: createBroker(withOptions), owned: true });
}

/** The broker named by the `redis` URL, `cluster`, or the environment; undefined when none is. */
function configuredBroker(config: EventBusConfig, env: Env): BrokerConfig | undefined {
  if (typeof config.redis === "string") return { broker: "redis", url: config.redis };
  if (config.cluster) {
    return {
      broker: "cluster",
      nodes: config.cluster,
      ...(config.clusterOptions && { clusterOptions: config.clusterOptions }),
    };
  }
  return explicitBrokerFromEnv(env);
}

const MEMORY_FIX =
  'Set EVENT_BUS_REDIS_URL (e.g. redis://10.0.0.5:6379) or EVENT_BUS_REDIS_CLUSTER, or give `redis` / `cluster`; for one process on purpose, `broker: "memory"` or EVENT_BUS_BROKER=memory.';

/** No broker configured: refused in production; elsewhere the memory broker, with a notice. */
function unconfiguredMemory(logger: Logger, env: Env): BrokerConfig {
  if (env.NODE_ENV === "production") {
    throw new EventBusError(
      "CONFIG_INVALID",
      "EventBusClient: no broker is configured and NODE_ENV is production, so events would stay inside this process.",
      { hint: MEMORY_FIX },
    );
  }
  logger.warn(
    `event-bus: no Redis configured; using the in-process memory broker, so other services will not see these events. ${MEMORY_FIX} (With NODE_ENV=production this is an error.)`,
  );
  return { broker: "memory" };
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
