/**
 * Where an idle connection's bytes go: a relay (memory broker) in this process, N raw clients
 * (bench/procs/fanout-load.ts: one room each, the user channel held by the relay) in another, a
 * V8 heap snapshot before and after they connect, and the difference by constructor, per
 * connection. The JS heap after GC does not depend on the machine's load, so this is the figure to
 * prove a memory change with before the full suite runs.
 *
 *   node --expose-gc --import tsx bench/heap-census.ts [clients=2000] [rows=40] [ours|baseline] [memory|redis]
 * `redis`: ours on a throwaway redis-server (test/harness) instead of the memory broker.
 * `baseline`: a plain socket.io server (in-memory adapter) whose clients join a room and their user
 * room, as figure 2's baseline does (without Redis: the adapter's Redis state is not per socket).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getHeapSnapshot } from "node:v8";
import { Server } from "socket.io";
import { createRelay } from "../relay/edge/create-relay.js";
import { startRedis } from "../test/harness/redis-server.js";
import { connectClients, SECRET, startLoad } from "./lib/drivers.js";
import { ask, isEvent, sleep, stopAll } from "./lib/ipc.js";

const clients = Number(process.argv[2] ?? 2000);
const rows = Number(process.argv[3] ?? 40);
/** OWNERS="array,closure native_bind": also count those nodes by retainer (`<- Owner.edge`). */
const owners = new Set((process.env.OWNERS ?? "").split(",").filter(Boolean));

interface Census {
  readonly heapUsed: number;
  readonly byName: Map<string, { count: number; bytes: number }>;
}

interface RawSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly node_types: [string[]];
      readonly edge_fields: string[];
      readonly edge_types: [string[]];
    };
  };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

async function census(): Promise<Census> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  await sleep(200);
  gc();
  gc();
  const heapUsed = process.memoryUsage().heapUsed;
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const raw = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RawSnapshot;
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const byName = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < raw.nodes.length; i += fields.length) {
    const type = types[raw.nodes[i + (typeAt ?? 0)] ?? 0] ?? "?";
    const name =
      type === "object" || type === "closure" ? (raw.strings[raw.nodes[i + (nameAt ?? 0)] ?? 0] ?? "?") : "";
    const key = `${type}${name ? ` ${name}` : ""}`;
    const entry = byName.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += raw.nodes[i + (sizeAt ?? 0)] ?? 0;
    byName.set(key, entry);
  }
  if (owners.size > 0) countOwners(raw, byName);
  return { heapUsed, byName };
}

function keyOf(raw: RawSnapshot, at: number): string {
  const fields = raw.snapshot.meta.node_fields;
  const type = raw.snapshot.meta.node_types[0][raw.nodes[at + fields.indexOf("type")] ?? 0] ?? "?";
  const name = raw.strings[raw.nodes[at + fields.indexOf("name")] ?? 0] ?? "?";
  return type === "object" || type === "closure" ? `${type} ${name}` : type;
}

/** Adds `<type> <- <owner>.<edge>` rows: every retaining edge counts (a node may have several). */
function countOwners(raw: RawSnapshot, byName: Map<string, { count: number; bytes: number }>): void {
  const fields = raw.snapshot.meta.node_fields;
  const edgeFields = raw.snapshot.meta.edge_fields;
  const edgeTypes = raw.snapshot.meta.edge_types[0];
  const countAt = fields.indexOf("edge_count");
  const sizeAt = fields.indexOf("self_size");
  let edge = 0;
  for (let at = 0; at < raw.nodes.length; at += fields.length) {
    const ownerKey = keyOf(raw, at);
    for (let e = 0; e < (raw.nodes[at + countAt] ?? 0); e++, edge += edgeFields.length) {
      const to = raw.edges[edge + 2] ?? 0;
      const toKey = keyOf(raw, to);
      if (!owners.has(toKey)) continue;
      const edgeType = edgeTypes[raw.edges[edge] ?? 0];
      const nameOrIndex = raw.edges[edge + 1] ?? 0;
      const label =
        edgeType === "element" || edgeType === "hidden" ? `[${edgeType}]` : raw.strings[nameOrIndex];
      const key = `${toKey} <- ${ownerKey}.${label}`;
      const entry = byName.get(key) ?? { count: 0, bytes: 0 };
      entry.count += 1;
      entry.bytes += raw.nodes[to + sizeAt] ?? 0;
      byName.set(key, entry);
    }
  }
}

const system = process.argv[4] === "baseline" ? "baseline" : "ours";

async function startBaseline(): Promise<{ port: number; clients: () => number; close(): Promise<void> }> {
  const httpServer = createServer();
  const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });
  io.on("connection", (socket) => {
    socket.on("join", (rooms: unknown, ack: unknown) => {
      const list = (Array.isArray(rooms) ? rooms : [rooms]).filter((r) => typeof r === "string");
      void socket.join(list);
      if (typeof ack === "function") ack({ ok: true });
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return {
    port: (httpServer.address() as AddressInfo).port,
    clients: () => io.engine.clientsCount,
    close: () => io.close(),
  };
}

async function startOurs() {
  const redis = process.argv[5] === "redis" ? await startRedis() : undefined;
  const relay = await createRelay({
    port: 0,
    host: "127.0.0.1",
    logLevel: "silent",
    broker: redis ? { broker: "redis", url: redis.url } : { broker: "memory" },
    auth: { secret: SECRET },
    limits: { maxConnectionsPerUser: 10_000, handshakeBurst: 1_000_000, handshakesPerSecond: 1_000_000 },
  });
  const close = async () => {
    await relay.close();
    await redis?.stop();
  };
  return { port: relay.port, clients: () => relay.io.engine.clientsCount, close };
}

const relay = system === "baseline" ? await startBaseline() : await startOurs();
const load = await startLoad(system);
try {
  const spec = { ports: [relay.port], rooms: 1, roomPrefix: "bench:" };
  await connectClients(load, { ...spec, count: 200, first: 1_000_000 });
  await ask(load, { cmd: "drop", count: 200 }, isEvent("dropped"));
  for (let i = 0; i < 100 && relay.clients() > 0; i++) await sleep(100);
  const before = await census();
  await connectClients(load, { ...spec, count: clients, first: 0 });
  const after = await census();
  const perConnection = (after.heapUsed - before.heapUsed) / clients;
  process.stdout.write(
    `${system}, ${clients} clients: JS heap after GC ${(perConnection / 1024).toFixed(2)} KiB per connection\n`,
  );
  const diff = [...after.byName].map(([name, a]) => {
    const b = before.byName.get(name) ?? { count: 0, bytes: 0 };
    return { name, count: (a.count - b.count) / clients, bytes: (a.bytes - b.bytes) / clients };
  });
  diff.sort((x, y) => y.bytes - x.bytes);
  process.stdout.write("bytes/conn  objects/conn  constructor\n");
  for (const row of diff.slice(0, rows)) {
    process.stdout.write(
      `${row.bytes.toFixed(0).padStart(10)}  ${row.count.toFixed(2).padStart(12)}  ${row.name}\n`,
    );
  }
} finally {
  await stopAll([load]);
  await relay.close();
}
