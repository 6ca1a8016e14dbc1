/**
 * A server for bench/relay-fanout.ts, in its own process: `relay` (createRelay on Redis) or
 * `baseline` (a plain socket.io server with @socket.io/redis-adapter, fed by @socket.io/redis-emitter).
 * Prints `listening <port>` once ready; answers `{ cmd: "memory" }` over IPC with its RSS after a
 * full GC (run with --expose-gc) and its number of connections.
 *
 *   node --expose-gc --import tsx bench/relay-bench-server.ts relay|baseline   (REDIS_URL, JWT_SECRET)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { createRelay } from "../relay/edge/create-relay.js";

const mode = process.argv[2];
const redisUrl = process.env.REDIS_URL ?? "";
const secret = process.env.JWT_SECRET ?? "";

let connections = () => 0;

async function startRelay(): Promise<number> {
  const relay = await createRelay({
    port: 0,
    host: "127.0.0.1",
    logLevel: "silent",
    broker: { broker: "redis", url: redisUrl },
    auth: { secret },
    // The load generator reads as fast as it can; bursts must not trip the slow-consumer guard.
    limits: {
      maxBufferedMessages: 100_000,
      maxBufferedBytes: 256 * 1024 * 1024,
      maxConnectionsPerUser: 10_000,
    },
  });
  connections = () => relay.io.engine.clientsCount;
  return relay.port;
}

async function startBaseline(): Promise<number> {
  const pub = new Redis(redisUrl);
  const sub = new Redis(redisUrl);
  const httpServer = createServer();
  const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });
  io.adapter(createAdapter(pub, sub));
  io.on("connection", (socket) => {
    socket.on("join", (room: unknown, ack: unknown) => {
      if (typeof room === "string") void socket.join(room);
      if (typeof ack === "function") ack({ ok: true });
    });
  });
  connections = () => io.engine.clientsCount;
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return (httpServer.address() as AddressInfo).port;
}

function answerMemory(): void {
  process.on("message", (message: { cmd?: string }) => {
    if (message.cmd !== "memory") return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send?.({ rss, heapUsed, external, arrayBuffers, connections: connections() });
  });
}

const port = mode === "relay" ? await startRelay() : mode === "baseline" ? await startBaseline() : 0;
if (!port) {
  process.stderr.write("usage: relay-bench-server.ts relay|baseline\n");
  process.exit(2);
}
answerMemory();
process.stdout.write(`listening ${port}\n`);
