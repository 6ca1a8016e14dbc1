/**
 * Picks and builds a broker from explicit configuration or from the environment:
 *   EVENT_BUS_REDIS_URL      → Redis
 *   EVENT_BUS_REDIS_CLUSTER  → Redis Cluster (comma-separated host:port list)
 *   neither                  → the in-process memory broker
 *   EVENT_BUS_PREFIX         → the channel prefix (the cluster broker needs it to tell
 *                              recoverable channels, which use sharded pub/sub)
 */
import { channelNames } from "../../protocol/channels.js";
import { EventBusError } from "../../protocol/errors.js";
import type { Broker, HistoryOptions } from "./broker.js";
import { MemoryBroker } from "./memory/memory-broker.js";
import type { MemoryHub } from "./memory/memory-hub.js";
import { ClusterBroker, type ClusterConnectionOptions } from "./redis/cluster-broker.js";
import { RedisBroker } from "./redis/redis-broker.js";
import type { RedisOptions } from "./redis/redis-connection.js";
import type { RedisBrokerCommonOptions } from "./redis/redis-options.js";
import { checkRedisUrl } from "./redis/redis-url.js";

/** Tuning of the Redis brokers (offline queue, reconnect backoff, timeouts, pipelining). */
export type RedisTuning = Omit<RedisBrokerCommonOptions, "history" | "prefix">;

export type BrokerConfig =
  | {
      readonly broker: "memory";
      readonly hub?: MemoryHub;
      readonly history?: Partial<HistoryOptions>;
      readonly prefix?: string;
    }
  | {
      readonly broker: "redis";
      readonly url: string;
      readonly history?: Partial<HistoryOptions>;
      readonly prefix?: string;
      /** More ioredis options, applied over the URL (tls, password, …). */
      readonly redisOptions?: RedisOptions;
      readonly tuning?: RedisTuning;
    }
  | {
      readonly broker: "cluster";
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly history?: Partial<HistoryOptions>;
      readonly prefix?: string;
      readonly clusterOptions?: ClusterConnectionOptions;
      readonly tuning?: RedisTuning;
    };

export function createBroker(config: BrokerConfig): Broker {
  switch (config.broker) {
    case "memory":
      return new MemoryBroker({
        ...(config.hub && { hub: config.hub }),
        ...(config.history && { history: config.history }),
      });
    case "redis":
      return new RedisBroker({
        ...config.tuning,
        connection: config.url,
        ...(config.redisOptions && { redisOptions: config.redisOptions }),
        ...(config.history && { history: config.history }),
        ...(config.prefix !== undefined && { prefix: config.prefix }),
      });
    case "cluster":
      return new ClusterBroker({
        ...config.tuning,
        nodes: config.nodes,
        ...(config.clusterOptions && { clusterOptions: config.clusterOptions }),
        ...(config.history && { history: config.history }),
        ...(config.prefix !== undefined && { prefix: config.prefix }),
      });
  }
}

/** Reads the broker choice from environment variables; throws CONFIG_INVALID naming the variable. */
export function brokerConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): BrokerConfig {
  const url = env.EVENT_BUS_REDIS_URL?.trim();
  const cluster = env.EVENT_BUS_REDIS_CLUSTER?.trim();
  const prefix = prefixFromEnv(env);
  const withPrefix = prefix === undefined ? {} : { prefix };
  if (url && cluster) {
    throw new EventBusError(
      "CONFIG_INVALID",
      "Both EVENT_BUS_REDIS_URL and EVENT_BUS_REDIS_CLUSTER are set; set only one (URL for one Redis, CLUSTER for a cluster).",
    );
  }
  if (url) return { broker: "redis", url: checkRedisUrl(url, "EVENT_BUS_REDIS_URL"), ...withPrefix };
  if (cluster) {
    return { broker: "cluster", nodes: parseNodeList(cluster, "EVENT_BUS_REDIS_CLUSTER"), ...withPrefix };
  }
  return { broker: "memory", ...withPrefix };
}

function prefixFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const prefix = env.EVENT_BUS_PREFIX?.trim();
  if (!prefix) return undefined;
  try {
    channelNames(prefix);
  } catch (error) {
    throw new EventBusError("CONFIG_INVALID", `EVENT_BUS_PREFIX is not valid: ${(error as Error).message}`);
  }
  return prefix;
}

/** "h1:7000,h2:7001" → [{ host, port }]. */
export function parseNodeList(value: string, name: string): { host: string; port: number }[] {
  return value.split(",").map((part) => {
    const match = /^\s*([^\s:]+):(\d{1,5})\s*$/.exec(part);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new EventBusError(
        "CONFIG_INVALID",
        `${name} entry ${JSON.stringify(part)} is not host:port; use a comma-separated list like "10.0.0.1:7000,10.0.0.2:7000".`,
      );
    }
    return { host: match[1] as string, port };
  });
}
