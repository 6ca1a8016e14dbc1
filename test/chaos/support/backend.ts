/**
 * A backend service for chaos runs: the real backend library (EventBusClient) on its own Redis
 * broker connection, which the test also uses to read positions and history.
 */
import { EventBusClient } from "../../../relay/backend/client.js";
import type { Broker, HistoryOptions } from "../../../relay/brokers/broker.js";
import { createBroker, type RedisTuning } from "../../../relay/brokers/create-broker.js";
import { silentLogger } from "../../integration/backend/silent-logger.js";

export interface ChaosBackend {
  readonly client: EventBusClient;
  readonly broker: Broker;
  close(): Promise<void>;
}

export async function startBackend(
  redisUrl: string,
  options: { readonly tuning?: RedisTuning; readonly history?: Partial<HistoryOptions> } = {},
): Promise<ChaosBackend> {
  const broker = createBroker({
    broker: "redis",
    url: redisUrl,
    tuning: options.tuning ?? {},
    ...(options.history && { history: options.history }),
  });
  await broker.connect();
  const client = new EventBusClient({ serviceName: "chaos-backend", broker, logger: silentLogger });
  return {
    client,
    broker,
    async close() {
      await client.disconnect();
      await broker.close();
    },
  };
}
