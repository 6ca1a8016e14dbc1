/**
 * Picks and builds a broker from explicit configuration or from the environment:
 *   EVENT_BUS_REDIS_URL      → Redis
 *   EVENT_BUS_REDIS_CLUSTER  → Redis Cluster (comma-separated host:port list)
 *   neither                  → the in-process memory broker
 */
import { EventBusError } from "../../protocol/errors.js";
import type { Broker, HistoryOptions } from "./broker.js";
import { MemoryBroker } from "./memory-broker.js";
import type { MemoryHub } from "./memory-hub.js";

export type BrokerConfig =
  | { readonly broker: "memory"; readonly hub?: MemoryHub; readonly history?: Partial<HistoryOptions> }
  | { readonly broker: "redis"; readonly url: string; readonly history?: Partial<HistoryOptions> }
  | {
      readonly broker: "cluster";
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly history?: Partial<HistoryOptions>;
    };

export function createBroker(config: BrokerConfig): Broker {
  switch (config.broker) {
    case "memory":
      return new MemoryBroker({
        ...(config.hub && { hub: config.hub }),
        ...(config.history && { history: config.history }),
      });
    case "redis":
    case "cluster":
      throw new EventBusError("CONFIG_INVALID", `The ${config.broker} broker is not part of this build yet.`);
  }
}

/** Reads the broker choice from environment variables; throws CONFIG_INVALID naming the variable. */
export function brokerConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): BrokerConfig {
  const url = env.EVENT_BUS_REDIS_URL?.trim();
  const cluster = env.EVENT_BUS_REDIS_CLUSTER?.trim();
  if (url && cluster) {
    throw new EventBusError(
      "CONFIG_INVALID",
      "Both EVENT_BUS_REDIS_URL and EVENT_BUS_REDIS_CLUSTER are set; set only one (URL for one Redis, CLUSTER for a cluster).",
    );
  }
  if (url) {
    if (!/^rediss?:\/\//.test(url)) {
      throw new EventBusError("CONFIG_INVALID", `EVENT_BUS_REDIS_URL must start with redis:// or rediss://.`);
    }
    return { broker: "redis", url };
  }
  if (cluster) return { broker: "cluster", nodes: parseNodeList(cluster, "EVENT_BUS_REDIS_CLUSTER") };
  return { broker: "memory" };
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
