/**
 * `npm start`: the whole playground in one process — the relay, the demo backend (photo API,
 * worker, notification service) and the Vite dev server for the React app — then prints the URL.
 * Ctrl-C stops everything.
 *
 * With no Redis configured everything runs on the in-process memory broker. With
 * EVENT_BUS_REDIS_URL set, the relay and the backend use Redis, each with its own connection, as
 * separate processes would.
 *
 *   npm start                         # http://127.0.0.1:5173
 *   npm start -- --port 8000
 */
import { randomBytes } from "node:crypto";

import { createServer as createHttpServer, type Server } from "node:http";

import { fileURLToPath } from "node:url";

import { parseArgs } from "node:util";
import { channelNames } from "@shared-infra/event-bus/protocol";
import { createRelay, type Relay } from "@shared-infra/event-bus/relay";
import { createBroker, EventBusClient } from "@shared-infra/event-bus/server";
import { createServer as createViteServer, type ViteDevServer } from "vite";
import type { PlaygroundEvents } from "../shared/playground-events.js";
import { createDemoAuth } from "./demo-auth.js";
import { createApiHandler } from "./demo-backend.js";
import { demoStoreConfig, startWorkerReplicas } from "./durable-demo.js";
import { startNotificationService } from "./notification-service.js";
import { PhotoStore } from "./photo-store.js";
import { roomHistoryReader } from "./room-history.js";
import { describeStartFailure } from "./start-failure.js";
import { createPlaygroundLogger } from "./vite-logger.js";
import { startWebhookDemo } from "./webhook-demo.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "5173" },
    host: { type: "string", default: process.env.HOST ?? "127.0.0.1" },
    "stage-delay": { type: "string", default: process.env.PLAYGROUND_STAGE_DELAY_MS ?? "700" },
    "failure-rate": { type: "string", default: process.env.PLAYGROUND_FAILURE_RATE ?? "0.15" },
    "token-ttl": { type: "string", default: process.env.PLAYGROUND_TOKEN_TTL ?? "300" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  process.stdout.write(`Usage: npm start -- [--port 5173] [--host 127.0.0.1] [--stage-delay 700] [--failure-rate 0.15] [--token-ttl 300]
Starts the relay, the demo backend and the Vite app. Set EVENT_BUS_REDIS_URL to run over Redis.
`);
  process.exit(0);
}

const port = Number(values.port);
const host = values.host;
// Demo only: a fresh secret per run unless JWT_SECRET is set. Tokens come from /api/sign-in.
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString("hex");
/**
 * Channel history kept for an hour after a channel's last event (the library's default is 5 min):
 * the rooms' recent comments, shown on join, come from it (room-history.ts).
 */
const HISTORY = { ttlMs: 60 * 60_000 };
const brokerFromEnv = () => {
  if (process.env.EVENT_BUS_REDIS_URL)
    return { broker: "redis", url: process.env.EVENT_BUS_REDIS_URL, history: HISTORY } as const;
  return { broker: "memory", history: HISTORY } as const;
};

let relay: Relay | undefined;
let vite: ViteDevServer | undefined;
let api: Server | undefined;
const stops: (() => Promise<void>)[] = [];

async function startRelay(relayPort: number): Promise<Relay> {
  return createRelay({
    port: relayPort,
    host: "127.0.0.1",
    auth: { secret },
    broker: brokerFromEnv(),
    logLevel: process.env.RELAY_LOG_LEVEL ?? "warn",
    presence: { ttlMs: 15_000, refreshMs: 5_000 },
  });
}

async function main(): Promise<void> {
  relay = await startRelay(0);
  const relayPort = relay.port;
  // The demo backend's own broker connection (the relay has its own, as separate processes would).
  const broker = createBroker(brokerFromEnv());
  await broker.connect();
  stops.push(() => broker.close());
  const eventStore = demoStoreConfig();
  const bus = new EventBusClient<PlaygroundEvents>({
    serviceName: "photo-demo",
    broker,
    logLevel: "warn",
    store: eventStore,
  });
  await bus.connect();
  const store = new PhotoStore();
  const auth = createDemoAuth(secret, Number(values["token-ttl"]));
  stops.push(
    await startWorkerReplicas(() => createBroker(brokerFromEnv()), eventStore, store, {
      stageDelayMs: Number(values["stage-delay"]),
      failureRate: Number(values["failure-rate"]),
    }),
  );
  stops.push(await startNotificationService(bus, (photoId) => store.get(photoId)?.filename));
  const webhooks = await startWebhookDemo(bus);
  stops.push(() => webhooks.stop());
  stops.push(() => bus.disconnect());

  const recentRoomEvents = roomHistoryReader(broker, channelNames());
  const handleApi = createApiHandler({
    bus,
    auth,
    store,
    recentRoomEvents,
    webhookLog: () => webhooks.log(),
  });
  api = createHttpServer((req, res) => {
    if (
      req.method === "POST" &&
      req.url === "/api/test/restart-relay" &&
      process.env.PLAYGROUND_TEST_HOOKS === "1"
    ) {
      void restartRelay(relayPort).then(
        () => res.writeHead(204).end(),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
      return;
    }
    handleApi(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => api?.listen(0, "127.0.0.1", resolve));
  const apiAddress = api.address();
  const apiPort = typeof apiAddress === "object" && apiAddress ? apiAddress.port : 0;

  vite = await createViteServer({
    configFile: fileURLToPath(new URL("../../vite.config.ts", import.meta.url)),
    // Vite's own logger, minus the stack traces of routine WebSocket disconnects (vite-logger.ts).
    customLogger: createPlaygroundLogger(),
    server: {
      port,
      host,
      strictPort: true,
      proxy: {
        "/api": { target: `http://127.0.0.1:${apiPort}` },
        "/socket.io": { target: `http://127.0.0.1:${relayPort}`, ws: true },
        "/events": { target: `http://127.0.0.1:${relayPort}` }, // the relay's SSE stream
      },
    },
  });
  await vite.listen();
  const brokerName = process.env.EVENT_BUS_REDIS_URL
    ? `Redis at ${process.env.EVENT_BUS_REDIS_URL}`
    : "the in-process memory broker";
  process.stdout.write(
    `\n  Event bus playground: http://${host}:${port}/\n  (relay on 127.0.0.1:${relayPort}, ${brokerName}; Ctrl-C to stop)\n\n`,
  );
}

/** Test hook (PLAYGROUND_TEST_HOOKS=1): stop the relay and start a new one on the same port. */
async function restartRelay(relayPort: number): Promise<void> {
  await relay?.close({ timeoutMs: 500 });
  relay = await startRelay(relayPort);
}

let stopping = false;
/** Closes everything that started, then exits with `code` (0 after Ctrl-C, 1 after a failed start). */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (code === 0) process.stdout.write("\nStopping the playground...\n");
  try {
    await vite?.close();
    await relay?.close({ timeoutMs: 2000 });
    for (const s of stops.reverse()) await s();
    await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  } catch (error) {
    process.stderr.write(`While stopping: ${error instanceof Error ? error.message : String(error)}\n`);
    code = code || 1;
  }
  process.exit(code);
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
main().catch(async (error: unknown) => {
  process.stderr.write(await describeStartFailure(error, port, host));
  await stop(1);
});
