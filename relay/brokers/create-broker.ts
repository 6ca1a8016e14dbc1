/**
 * Picks and builds a broker from explicit configuration or from the environment:
 *   EVENT_BUS_REDIS_URL      → Redis
 *   EVENT_BUS_REDIS_CLUSTER  → Redis Cluster (comma-separated host:port list)
 *   EVENT_BUS_BROKER=memory  → the in-process memory broker, asked for (redis / cluster must
 *                              agree with the variable above that is set)
 *   none of them             → the in-process memory broker (the backend library allows that
 *                              only outside production: backend/config.ts)
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

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the broker choice from environment variables; throws CONFIG_INVALID naming the variable. */
export function brokerConfigFromEnv(env: Env = process.env): BrokerConfig {
  const prefix = prefixFromEnv(env);
  return explicitBrokerFromEnv(env) ?? { broker: "memory", ...(prefix !== undefined && { prefix }) };
}

const BROKER_KINDS: readonly string[] = ["memory", "redis", "cluster"];

/**
 * The broker the environment names — EVENT_BUS_REDIS_URL, EVENT_BUS_REDIS_CLUSTER, or
 * EVENT_BUS_BROKER=memory — or undefined when it names none (the caller decides what that means:
 * the backend library refuses it in production). Throws CONFIG_INVALID naming the variable.
 */
export function explicitBrokerFromEnv(env: Env = process.env): BrokerConfig | undefined {
  const url = env.EVENT_BUS_REDIS_URL?.trim();
  const cluster = env.EVENT_BUS_REDIS_CLUSTER?.trim();
  const kind = env.EVENT_BUS_BROKER?.trim().toLowerCase() || undefined;
  const prefix = prefixFromEnv(env);
  const withPrefix = prefix === undefined ? {} : { prefix };
  if (url && cluster) {
    throw new EventBusError(
      "CONFIG_INVALID",
      "Both EVENT_BUS_REDIS_URL and EVENT_BUS_REDIS_CLUSTER are set; set only one (URL for one Redis, CLUSTER for a cluster).",
    );
  }
  if (kind !== undefined) checkBrokerKind(kind, url ? "redis" : cluster ? "cluster" : undefined);
  if (url) return { broker: "redis", url: checkRedisUrl(url, "EVENT_BUS_REDIS_URL"), ...withPrefix };
  if (cluster) {
    return { broker: "cluster", nodes: parseNodeList(cluster, "EVENT_BUS_REDIS_CLUSTER"), ...withPrefix };
  }
  return kind === "memory" ? { broker: "memory", ...withPrefix } : undefined;
}

/** EVENT_BUS_BROKER must be a known kind and agree with the Redis variable that is set, if any. */
function checkBrokerKind(kind: string, fromVariables: "redis" | "cluster" | undefined): void {
  if (!BROKER_KINDS.includes(kind)) {
    throw new EventBusError(
      "CONFIG_INVALID",
      `EVENT_BUS_BROKER=${JSON.stringify(kind)} is not a broker; use memory, redis (with EVENT_BUS_REDIS_URL) or cluster (with EVENT_BUS_REDIS_CLUSTER).`,
    );
  }
  if (kind === (fromVariables ?? "memory")) return;
  const variable = kind === "cluster" ? "EVENT_BUS_REDIS_CLUSTER" : "EVENT_BUS_REDIS_URL";
  throw new EventBusError(
    "CONFIG_INVALID",
    fromVariables === undefined
      ? `EVENT_BUS_BROKER=${kind} but ${variable} is not set; set it (e.g. ${kind === "cluster" ? "10.0.0.1:7000,10.0.0.2:7000" : "redis://127.0.0.1:6379"}).`
      : `EVENT_BUS_BROKER=${kind} disagrees with the ${fromVariables === "cluster" ? "EVENT_BUS_REDIS_CLUSTER" : "EVENT_BUS_REDIS_URL"} that is set; remove one of them.`,
  );
}

function prefixFromEnv(env: Env): string | undefined {
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
