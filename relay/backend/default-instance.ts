/**
 * `eventBus`: the ready-made instance for `import { eventBus } from "@shared-infra/event-bus/server"`.
 * It is created on first use (not at import), configured from the environment:
 *   EVENT_BUS_REDIS_URL or EVENT_BUS_REDIS_CLUSTER   the broker (neither: in-process memory, with a notice)
 *   EVENT_BUS_SERVICE_NAME                           metadata.source and the dead-letter stream (default "service")
 *   EVENT_BUS_PREFIX, EVENT_BUS_LOG_LEVEL
 */
import type { RegisteredEvents } from "../../protocol/envelope.js";
import { EventBusClient } from "./client.js";

let instance: EventBusClient<RegisteredEvents> | undefined;

/** The default instance itself (created on the first call). */
export function defaultEventBus(): EventBusClient<RegisteredEvents> {
  instance ??= new EventBusClient({ serviceName: process.env.EVENT_BUS_SERVICE_NAME?.trim() || "service" });
  return instance;
}

/** Every property access goes to the default instance, created on first use. */
export const eventBus: EventBusClient<RegisteredEvents> = new Proxy({} as EventBusClient<RegisteredEvents>, {
  get(_target, property) {
    const client = defaultEventBus();
    const value: unknown = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});
