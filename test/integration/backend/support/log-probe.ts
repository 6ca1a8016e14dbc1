/**
 * A backend service in its own process, for the logging test: an EventBusClient with default
 * logging on the Redis at PROBE_REDIS_URL subscribes, publishes, receives and disconnects. It
 * prints nothing itself, so whatever appears on stdout/stderr is the library's.
 */
import { EventBusClient } from "../../../../relay/backend/index.js";

const bus = new EventBusClient({ serviceName: "probe", redis: process.env.PROBE_REDIS_URL ?? "" });
let delivered: () => void = () => {};
const received = new Promise<void>((resolve) => {
  delivered = resolve;
});
await bus.subscribe("probe.ping", () => delivered());
await bus.publish("probe.ping", { n: 1 });
await received;
await bus.disconnect();
