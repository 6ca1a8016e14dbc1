/**
 * `event-bus webhooks`: runs the webhook dispatcher until SIGTERM / SIGINT (the default action),
 * or lists / replays an endpoint's dead letters. The bus comes from the environment like every
 * command (EVENT_BUS_REDIS_URL, …); endpoints and delivery options from the --config file.
 */
import { createServer, type Server } from "node:http";
import { EventBusClient } from "../backend/client.js";
import { createWebhookDispatcher, type WebhookDispatcher } from "../webhooks/webhook-dispatcher.js";
import { parseCommandLine, usageError } from "./usage.js";
import { readWebhooksFile } from "./webhooks-config.js";

export const usage = `Usage: event-bus webhooks [run] --config <webhooks.json> [--metrics-port <port>]
       event-bus webhooks dead-letters --config <webhooks.json> --endpoint <id> [--limit <n>] [--json]
       event-bus webhooks replay --config <webhooks.json> --endpoint <id> [--event <event id>]...
       event-bus webhooks enable --config <webhooks.json> --endpoint <id>

Delivers events to webhook endpoints (Standard Webhooks signatures), durably: it consumes the
config's eventTypes through a consumer group, so events published while it is down are delivered
when it returns, and several replicas share the work. Stops cleanly on SIGTERM / SIGINT.

Options:
  --config <file>        webhooks.json: eventTypes, endpoints [{ id, url, secrets, types }] and
                         delivery options (retrySchedule, timeoutMs, allowNetworks, …); a secret
                         written "env:NAME" is read from the environment
  --metrics-port <port>  serve /metrics (Prometheus) and /healthz on 127.0.0.1:<port>
  --endpoint <id>        the endpoint whose dead letters to list, replay or re-enable
  --event <id>           replay only this event (repeatable; default: all dead letters)
  --limit <n>            dead letters to print (default 100)
  --json                 print dead letters as JSON lines
Broker: EVENT_BUS_REDIS_URL (also the job store unless the config's "store" says otherwise).
See docs/backend.md, "Outbound webhooks".
`;

function parse(args: readonly string[]) {
  return parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: {
      config: { type: "string" },
      "metrics-port": { type: "string" },
      endpoint: { type: "string" },
      event: { type: "string", multiple: true },
      limit: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

export async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    process.stdout.write(usage); // help never needs configuration
    return 0;
  }
  const action = positionals[0] ?? "run";
  if (!["run", "dead-letters", "replay", "enable"].includes(action) || positionals.length > 1) {
    throw usageError("Expected run, dead-letters, replay or enable.");
  }
  if (!values.config) throw usageError("--config <webhooks.json> is required.");
  if (action !== "run" && !values.endpoint) throw usageError(`${action} needs --endpoint <id>.`);
  const port = values["metrics-port"] === undefined ? undefined : Number(values["metrics-port"]);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
    throw usageError("--metrics-port must be a port number.");
  }
  const file = readWebhooksFile(values.config);
  const { groups, serviceName, store, ...dispatcherOptions } = file;
  const bus = new EventBusClient({
    serviceName: serviceName ?? "event-bus-webhooks",
    ...(groups !== undefined && { groups }),
  });
  const dispatcher = createWebhookDispatcher({
    ...dispatcherOptions,
    bus,
    ...(store !== undefined && { store }),
  });
  try {
    await bus.connect();
    if (action === "run") return await serve(dispatcher, bus, port);
    const endpoint = values.endpoint ?? "";
    if (action === "enable") {
      await dispatcher.enable(endpoint);
      process.stdout.write(`endpoint ${endpoint} enabled\n`);
    } else if (action === "replay") {
      const moved = await dispatcher.deadLetters.replay(endpoint, values.event);
      process.stdout.write(`${moved} dead letter(s) of ${endpoint} queued again\n`);
    } else {
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!(Number.isInteger(limit) && limit > 0)) throw usageError("--limit must be a positive integer.");
      for (const dead of await dispatcher.deadLetters.list(endpoint, limit)) {
        process.stdout.write(
          values.json
            ? `${JSON.stringify(dead)}\n`
            : `${new Date(dead.failedAt).toISOString()}  ${dead.eventId}  ${dead.eventType}  attempts=${dead.attempts}  ${dead.reason}\n`,
        );
      }
    }
    return 0;
  } finally {
    if (action !== "run") {
      await dispatcher.stop();
      await bus.disconnect();
    }
  }
}

async function serve(
  dispatcher: WebhookDispatcher,
  bus: EventBusClient,
  port: number | undefined,
): Promise<number> {
  await dispatcher.start();
  let server: Server | undefined;
  if (port !== undefined) {
    server = createServer((req, res) => {
      if (req.url === "/metrics") {
        dispatcher.metrics().then(
          (text) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(text),
          () => res.writeHead(500).end(),
        );
      } else if (req.url === "/healthz") {
        dispatcher.stats().then(
          (stats) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats)),
          () => res.writeHead(503).end(),
        );
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server?.listen(port, "127.0.0.1", resolve));
    const address = server.address();
    const bound = typeof address === "object" && address ? address.port : port;
    process.stdout.write(`metrics on http://127.0.0.1:${bound}/metrics\n`);
  }
  process.stdout.write("event-bus webhooks running\n");
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) process.exit(1); // a second signal: exit at once
      stopping = true;
      server?.close();
      dispatcher
        .stop()
        .then(() => bus.disconnect())
        .then(
          () => resolve(0),
          () => resolve(1),
        );
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
