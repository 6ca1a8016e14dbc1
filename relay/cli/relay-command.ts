/** `event-bus relay`: runs the edge relay until SIGTERM / SIGINT, then drains and exits 0. */
import { isEventBusError } from "../../protocol/errors.js";
import { createRelay } from "../edge/create-relay.js";
import { createLogger } from "../edge/operations/logger.js";
import { installSignalHandlers } from "../edge/operations/shutdown.js";
import { relayConfig, settingsHelp } from "./relay-config.js";

const USAGE = `Usage: event-bus relay [options]

Runs the edge relay: socket.io over WebSocket with JWT authentication, bridging broker channels
to rooms. Every option can also be set with the environment variable shown. Secrets are read from
the environment or a file only (JWT_SECRET, JWT_PUBLIC_KEY, or the *_FILE options).

Options:
${settingsHelp()}

Endpoints: /healthz, /readyz, /metrics. See docs/relay.md.
`;

export async function run(args: readonly string[]): Promise<number> {
  let config: ReturnType<typeof relayConfig>;
  try {
    config = relayConfig(args);
  } catch (error) {
    if (!isEventBusError(error, "CONFIG_INVALID")) throw error;
    process.stderr.write(`event-bus relay: ${error.message}\n`);
    return 2;
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const logger = createLogger(config.options.logLevel ?? "info");
  if (config.options.auth.secret !== undefined && config.options.auth.secret.length < 32) {
    logger.warn("JWT_SECRET is shorter than 32 characters; use a long random secret in production");
  }
  let relay: Awaited<ReturnType<typeof createRelay>>;
  try {
    relay = await createRelay({ ...config.options, broker: config.brokerConfig, logger });
  } catch (error) {
    if (!isEventBusError(error)) throw error;
    process.stderr.write(`event-bus relay: ${error.message}\n`);
    return error.code === "CONFIG_INVALID" ? 2 : 1;
  }
  process.stdout.write(`event-bus relay listening on ${relay.url} (broker: ${relay.broker.kind})\n`);
  return new Promise<number>((resolve) => {
    installSignalHandlers(relay, (message) => logger.info(message), resolve);
  });
}
