/**
 * `npm start`: the whole playground in one process — the relay, the demo backend (photo API,
 * worker, notification service) and the Vite dev server for the React app — then prints the URL.
 * Ctrl-C stops everything.
 *
 * With no Redis configured everything runs on the in-process memory broker. With
 * EVENT_BUS_REDIS_URL (or EVENT_BUS_REDIS_CLUSTER) set, the relay and the backend use Redis, as
 * separate processes would.
 *
 *   npm start                         # http://127.0.0.1:5173
 *   npm start -- --port 8000
 */
import { randomBytes } from "node:crypto";

import { createServer as createHttpServer, type Server } from "node:http";

import { fileURLToPath } from "node:url";

import { parseArgs } from "node:util";

import { createRelay, type Relay, type RelayOptions } from "@shared-infra/event-bus/relay";

import { EventBusClient } from "@shared-infra/event-bus/server";
import { createServer as createViteServer, type ViteDevServer } from "vite";
import type { PhotoEvents } from "../shared/photo-events.js";
import { createDemoAuth } from "./demo-auth.js";
import { createApiHandler } from "./demo-backend.js";
import { startNotificationService } from "./notification-service.js";
import { PhotoStore } from "./photo-store.js";
import { startPhotoWorker } from "./photo-worker.js";

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
const brokerFromEnv = (): NonNullable<RelayOptions["broker"]> => {
  if (process.env.EVENT_BUS_REDIS_URL) return { broker: "redis", url: process.env.EVENT_BUS_REDIS_URL };
  return { broker: "memory" };
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
  const bus = new EventBusClient<PhotoEvents>({
    serviceName: "photo-demo",
    ...(process.env.EVENT_BUS_REDIS_URL
      ? { redis: process.env.EVENT_BUS_REDIS_URL }
      : { broker: "memory" as const }),
    logLevel: "warn",
  });
  await bus.connect();
  const store = new PhotoStore();
  const auth = createDemoAuth(secret, Number(values["token-ttl"]));
  stops.push(
    await startPhotoWorker(bus, store, {
      stageDelayMs: Number(values["stage-delay"]),
      failureRate: Number(values["failure-rate"]),
    }),
  );
  stops.push(await startNotificationService(bus));
  stops.push(() => bus.disconnect());

  const handleApi = createApiHandler({ bus, auth, store });
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
    server: {
      port,
      host,
      strictPort: true,
      proxy: {
        "/api": { target: `http://127.0.0.1:${apiPort}` },
        "/socket.io": {
          target: `http://127.0.0.1:${relayPort}`,
          ws: true,
          // A WebSocket cut by a relay restart or a client going offline is routine here, not an error.
          configure: (proxy) => proxy.on("error", () => {}),
        },
      },
    },
  });
  await vite.listen();
  const broker = process.env.EVENT_BUS_REDIS_URL
    ? `Redis at ${process.env.EVENT_BUS_REDIS_URL}`
    : "the in-process memory broker";
  process.stdout.write(
    `\n  Event bus playground: http://${host}:${port}/\n  (relay on 127.0.0.1:${relayPort}, ${broker}; Ctrl-C to stop)\n\n`,
  );
}

/** Test hook (PLAYGROUND_TEST_HOOKS=1): stop the relay and start a new one on the same port. */
async function restartRelay(relayPort: number): Promise<void> {
  await relay?.close({ timeoutMs: 500 });
  relay = await startRelay(relayPort);
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write("\nStopping the playground...\n");
  await vite?.close();
  await relay?.close({ timeoutMs: 2000 });
  for (const s of stops.reverse()) await s();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  process.exit(0);
}

process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
main().catch((error: unknown) => {
  process.stderr.write(
    `The playground could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  void stop().finally(() => process.exit(1));
});
