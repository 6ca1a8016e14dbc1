/**
 * One server under test, in its own process (run with --expose-gc):
 *   ours-redis | ours-cluster | ours-memory   createRelay on Redis, Redis Cluster or the memory broker
 *                                              (ours-memory also hosts the EventBusClient feeding it)
 *   baseline | baseline-cluster               socket.io + @socket.io/redis-adapter (classic)
 *   baseline-sharded                          socket.io + createShardedAdapter (Redis 7 sharded pub/sub)
 *   reference                                 a bare `ws` server forwarding Redis channel `ref` to all
 * Prints `listening <port>`. IPC: { cmd: "memory" } → { event: "memory", rss, heapUsed, connections }
 * after a full GC; ours-memory also { cmd: "feed", how, count, rate, room } → { event: "fed" };
 * { cmd: "profile", action: "start" | "stop", file } → { event: "profiling" | "profiled" }.
 *
 *   REDIS_URL | REDIS_NODES (host:port,…), JWT_SECRET, PORT (default 0) — bench/run.ts starts it.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { Cluster, Redis } from "ioredis";
import { Server } from "socket.io";
import { WebSocketServer } from "ws";
import type { BrokerConfig } from "../../relay/brokers/create-broker.js";
import { createRelay } from "../../relay/edge/create-relay.js";
import { burst, type Nodes, oursFeeder, paced } from "../lib/feeders.js";

const mode = process.argv[2] ?? "";
const redisUrl = process.env.REDIS_URL ?? "";
const nodes: Nodes = (process.env.REDIS_NODES ?? "")
  .split(",")
  .filter(Boolean)
  .map((hp) => ({ host: hp.split(":")[0] ?? "127.0.0.1", port: Number(hp.split(":")[1]) }));
const secret = process.env.JWT_SECRET ?? "";
const port = Number(process.env.PORT ?? 0);

let connections = () => 0;

async function startOurs(broker: BrokerConfig): Promise<number> {
  const relay = await createRelay({
    port,
    host: "127.0.0.1",
    logLevel: "silent",
    broker,
    auth: { secret },
    // Load generators read as fast as they can; bursts must not trip the slow-consumer guard.
    limits: {
      maxBufferedMessages: 100_000,
      maxBufferedBytes: 256 * 1024 * 1024,
      maxConnectionsPerUser: 10_000,
      // Every load-generator client comes from 127.0.0.1: one address, as behind a NAT.
      handshakesPerSecond: 1_000_000,
      handshakeBurst: 1_000_000,
    },
  });
  connections = () => relay.io.engine.clientsCount;
  return relay.port;
}

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function startBaseline(kind: "classic" | "cluster" | "sharded"): Promise<number> {
  const make = () =>
    kind === "classic"
      ? new Redis(redisUrl)
      : new Cluster([...nodes], kind === "sharded" ? { shardedSubscribers: true } : {});
  const pub = make();
  const sub = make();
  const httpServer = createServer();
  const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });
  io.adapter(kind === "sharded" ? createShardedAdapter(pub, sub) : createAdapter(pub, sub));
  io.on("connection", (socket) => {
    // `join` takes a room name or a list of them and acknowledges, like the relay's join.
    socket.on("join", (rooms: unknown, ack: unknown) => {
      const list = (Array.isArray(rooms) ? rooms : [rooms]).filter((r) => typeof r === "string");
      void socket.join(list);
      if (typeof ack === "function") ack({ ok: true });
    });
  });
  connections = () => io.engine.clientsCount;
  return listen(httpServer);
}

/** The practical ceiling: one Redis channel, each message sent to every socket with `ws`. */
async function startReference(): Promise<number> {
  const sub = new Redis(redisUrl);
  const httpServer = createServer();
  const wss = new WebSocketServer({ server: httpServer, perMessageDeflate: false });
  sub.on("messageBuffer", (_channel: Buffer, message: Buffer) => {
    for (const ws of wss.clients) ws.send(message, { binary: false });
  });
  await sub.subscribe("ref");
  connections = () => wss.clients.size;
  return listen(httpServer);
}

async function start(): Promise<number> {
  switch (mode) {
    case "ours-redis":
      return startOurs({ broker: "redis", url: redisUrl });
    case "ours-cluster":
      return startOurs({ broker: "cluster", nodes });
    case "ours-memory":
      return startOurs({ broker: "memory" });
    case "baseline":
      return startBaseline("classic");
    case "baseline-cluster":
      return startBaseline("cluster");
    case "baseline-sharded":
      return startBaseline("sharded");
    case "reference":
      return startReference();
    default:
      process.stderr.write(`unknown mode ${mode}\n`);
      process.exit(2);
  }
}

interface Feed {
  readonly cmd: "feed";
  readonly how: "burst" | "paced";
  readonly count: number;
  readonly rate: number;
  readonly room: string;
}

let profiler: Session | undefined;

/** { cmd: "profile", action: "start" | "stop", file }: V8 CPU profile of a measured window. */
async function profile(action: unknown, file: unknown): Promise<string> {
  if (action === "start") {
    profiler = new Session();
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
    return "profiling";
  }
  const session = profiler;
  if (!session || typeof file !== "string") throw new Error("no profile running");
  const { profile: result } = await session.post("Profiler.stop");
  writeFileSync(file, JSON.stringify(result));
  session.disconnect();
  profiler = undefined;
  return "profiled";
}

const feeder = mode === "ours-memory" ? await oursFeeder({ broker: "memory" }) : undefined;

process.on("message", (message: { cmd?: string }) => {
  if (message.cmd === "memory") {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send?.({ event: "memory", rss, heapUsed, connections: connections() });
  } else if (message.cmd === "profile") {
    const { action, file } = message as { action?: unknown; file?: unknown };
    profile(action, file).then(
      (event) => process.send?.({ event }),
      (error: unknown) => process.stderr.write(`profile: ${String(error)}\n`),
    );
  } else if (message.cmd === "feed" && feeder) {
    const { how, count, rate, room } = message as Feed;
    const target = () => ({ kind: "room", room }) as const;
    const done = how === "burst" ? burst(feeder, count, target) : paced(feeder, count, rate, target);
    done.then(
      () => process.send?.({ event: "fed" }),
      (error: unknown) => process.send?.({ event: "fed", error: String(error) }),
    );
  }
});

const listening = await start();
process.stdout.write(`listening ${listening}\n`);
