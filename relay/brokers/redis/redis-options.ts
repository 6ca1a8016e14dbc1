/**
 * Options shared by the Redis and Redis Cluster brokers, with their defaults.
 */

import type { BackoffOptions } from "../../../common/backoff.js";
import { type Clock, systemClock } from "../../../common/clock.js";
import { definedOnly } from "../../../common/collections.js";
import { assertPrefix } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import { DEFAULT_HISTORY, type HistoryOptions } from "../broker.js";

/** Redis reconnects start fast: 0-50 ms, doubling to at most 2 s. */
const REDIS_RECONNECT: BackoffOptions = Object.freeze({ minDelay: 50, maxDelay: 2000 });

export interface RedisBrokerCommonOptions {
  readonly history?: Partial<HistoryOptions>;
  /**
   * The channel prefix of this bus (EVENT_BUS_PREFIX). The cluster broker needs it to tell
   * recoverable channels (sharded pub/sub) from event-type channels (classic pub/sub).
   */
  readonly prefix?: string;
  /** Operations allowed to wait while Redis is unreachable. Default 10,000. */
  readonly offlineQueueSize?: number;
  /** How long an operation waits for Redis to come back before it is rejected (TIMEOUT). Default 10 s. */
  readonly offlineTimeoutMs?: number;
  /** Reconnect backoff (full jitter). Default { minDelay: 50, maxDelay: 2000 }. */
  readonly reconnect?: Partial<BackoffOptions>;
  /** A command sent but unanswered this long is rejected with TIMEOUT. Default: none. */
  readonly commandTimeoutMs?: number;
  /** Timeout of one TCP connection attempt. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /**
   * PING every connection this often and drop one that stays silent for a whole interval, so a
   * network that silently drops packets is noticed after 1–2 intervals instead of TCP keepalive's
   * ≈ 12 minutes (redis-health.ts). Subscriber links, and the single-Redis command connection.
   * Default 5 s; 0 turns it off.
   */
  readonly healthCheckMs?: number;
  /**
   * Send the commands issued in one tick as one pipeline (ioredis auto-pipelining). Default false:
   * commands in flight already share socket writes, and EventBusClient's batching sends a whole
   * batch as one command, which auto-pipelining only copies once more.
   */
  readonly autoPipelining?: boolean;
  /** Time for offline timeouts, retries and topology refreshes (tests may pass a fake). Default: the real one. */
  readonly clock?: Clock;
}

export interface ResolvedRedisOptions {
  readonly history: HistoryOptions;
  readonly prefix: string;
  readonly offlineQueueSize: number;
  readonly offlineTimeoutMs: number;
  readonly reconnect: BackoffOptions;
  readonly commandTimeoutMs: number | undefined;
  readonly connectTimeoutMs: number;
  readonly healthCheckMs: number;
  readonly autoPipelining: boolean;
  readonly clock: Clock;
}

export function resolveRedisOptions(options: RedisBrokerCommonOptions): ResolvedRedisOptions {
  const resolved: ResolvedRedisOptions = {
    history: { ...DEFAULT_HISTORY, ...definedOnly(options.history ?? {}) },
    prefix: options.prefix ?? "",
    offlineQueueSize: options.offlineQueueSize ?? 10_000,
    offlineTimeoutMs: options.offlineTimeoutMs ?? 10_000,
    reconnect: { ...REDIS_RECONNECT, ...definedOnly(options.reconnect ?? {}) },
    commandTimeoutMs: options.commandTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    healthCheckMs: options.healthCheckMs ?? 5_000,
    autoPipelining: options.autoPipelining ?? false,
    clock: options.clock ?? systemClock,
  };
  assertPrefix(resolved.prefix);
  positive("offlineQueueSize", resolved.offlineQueueSize);
  positive("offlineTimeoutMs", resolved.offlineTimeoutMs);
  positive("history.maxLength", resolved.history.maxLength);
  positive("history.maxBytes", resolved.history.maxBytes);
  positive("history.ttlMs", resolved.history.ttlMs);
  positive("history.metaTtlMs", resolved.history.metaTtlMs);
  if (!Number.isFinite(resolved.healthCheckMs) || resolved.healthCheckMs < 0) {
    throw new EventBusError(
      "CONFIG_INVALID",
      `Broker option healthCheckMs must be 0 (off) or a positive number, got ${resolved.healthCheckMs}.`,
    );
  }
  return resolved;
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new EventBusError(
      "CONFIG_INVALID",
      `Broker option ${name} must be a positive number, got ${value}.`,
    );
  }
}
