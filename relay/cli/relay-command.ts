/** `event-bus relay`: runs the edge relay until SIGTERM / SIGINT, then drains and exits 0. */
import { isEventBusError } from "../../protocol/errors.js";
import { createRelay } from "../edge/create-relay.js";
import { createLogger } from "../edge/operations/logger.js";
import { installSignalHandlers } from "../edge/operations/shutdown.js";
import { relayConfig } from "./relay-config.js";
import { parseRelayFlags, settingsHelp } from "./relay-settings.js";

export const usage = `Usage: event-bus relay [options]

Runs the edge relay: socket.io over WebSocket with JWT authentication, bridging broker channels
to rooms. Every option can also be set with the environment variable shown. Secrets are read from
the environment or a file only (JWT_SECRET, JWT_PUBLIC_KEY, or the *_FILE options).

${settingsHelp()}

Endpoints: /healthz, /readyz, /metrics. See docs/relay.md.
`;

export async function run(args: readonly string[]): Promise<number> {
  let config: ReturnType<typeof relayConfig>;
  try {
    const flags = parseRelayFlags(args);
    if (flags.help) {
      process.stdout.write(usage); // help never needs configuration
      return 0;
    }
    config = relayConfig(flags);
  } catch (error) {
    if (!isEventBusError(error, "CONFIG_INVALID")) throw error;
    process.stderr.write(`event-bus relay: ${error.message}\n`);
    return 2;
  }
  const logger = createLogger(config.options.logLevel ?? "info");
  if (config.options.auth.dangerouslyAllowShortSecret) {
    logger.warn(
      "EVENT_BUS_DANGEROUSLY_ALLOW_SHORT_SECRET is set: a JWT_SECRET under 32 bytes is accepted. Development only; anyone holding one token can brute-force such a secret.",
    );
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
