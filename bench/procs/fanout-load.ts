/**
 * Fan-out load generator, in its own process: idle WebSocket clients that join rooms and count
 * what they receive (bench/lib/delivery-scanner.ts: no frame parsing once joined), so the load
 * generator costs far less per delivery than the servers it measures. Controlled over IPC:
 *   { cmd: "connect", ports, count, first, rooms, roomPrefix, hello } → { event: "connected", total, ms }
 *       clients first…first+count-1; client i joins room `${roomPrefix}${i % rooms}` on
 *       ports[(i % rooms) % ports.length] as user `bench-<i>` (ours: after `hello` when asked)
 *   { cmd: "drop", count }    → closes the newest `count` clients → { event: "dropped", total }
 *   { cmd: "phase", latency, expect } → resets counters; { event: "done", at } once `expect`
 *       deliveries arrived (if expect > 0)
 *   { cmd: "stats" }          → { event: "stats", total, minPerClient, maxPerClient, latency (all),
 *       roomLatency (events to rooms and users), broadcastLatency }
 *
 *   KIND=ours|baseline|reference JWT_SECRET=… node --import tsx bench/procs/fanout-load.ts
 */
import { createDevToken } from "../../relay/auth/dev-token.js";
import { DeliveryScanner, type ScannedConnection } from "../lib/delivery-scanner.js";
import { now } from "../lib/feeders.js";
import { RawWebSocket } from "../lib/raw-ws.js";
import { connectSio } from "../lib/sio-raw.js";
import { summarize } from "../lib/stats.js";

const kind = process.env.KIND ?? "ours";
const secret = process.env.JWT_SECRET ?? "";
const BATCH = 50;

interface Client extends ScannedConnection {
  close(): void;
}

const state = { expect: 0, done: true };
const scanner = new DeliveryScanner(
  Buffer.from(kind === "reference" ? '{"t' : '{\\"t'),
  kind !== "reference",
  () => {
    if (!state.done && scanner.total >= state.expect) {
      state.done = true;
      process.send?.({ event: "done", at: now() });
    }
  },
);
const clients: Client[] = [];

interface ConnectCommand {
  readonly ports: readonly number[];
  readonly count: number;
  readonly first: number;
  readonly rooms: number;
  readonly roomPrefix: string;
  readonly hello: boolean;
}

/**
 * A client arrives with its token (an app's client got it at sign-in, not at connect time), so
 * the tokens of a connect command are signed before its clock starts: the time measured is the
 * server's connect and join, not the load generator's JWT signing (the baseline's clients sign
 * nothing).
 */
const tokens = new Map<number, string>();

async function signTokens(c: ConnectCommand): Promise<void> {
  if (kind !== "ours") return;
  for (let i = c.first; i < c.first + c.count; i++) {
    tokens.set(
      i,
      await createDevToken({ sub: `bench-${i}`, secret, rooms: [`${c.roomPrefix}*`], ttl: "4h" }),
    );
  }
}

async function connectOne(i: number, c: ConnectCommand): Promise<Client> {
  const r = i % c.rooms;
  const room = `${c.roomPrefix}${r}`;
  const port = c.ports[r % c.ports.length] ?? 0;
  const tail = Buffer.alloc(scanner.tailLength);
  const client: Client = { count: 0, tail, tailUsed: 0, pong: () => {}, close: () => {} };
  const count = (chunk: Buffer) => scanner.scan(client, chunk);
  if (kind === "reference") {
    const ws = await RawWebSocket.open(port, "/", { onText: () => {} });
    ws.countWith(count);
    return Object.assign(client, { close: () => ws.close() });
  }
  const user = `bench-${i}`;
  const token = tokens.get(i);
  tokens.delete(i);
  const auth =
    kind === "ours"
      ? {
          token:
            token ?? (await createDevToken({ sub: user, secret, rooms: [`${c.roomPrefix}*`], ttl: "4h" })),
          v: 1,
        }
      : null;
  const sio = await connectSio(port, auth);
  if (kind === "ours" && c.hello) expectOk(await sio.request("hello", {}), "hello");
  const join = kind === "ours" ? { room } : [`room:${room}`, `user:${user}`];
  expectOk(await sio.request("join", join), "join");
  sio.countWith(count);
  return Object.assign(client, { pong: () => sio.ws.send("3"), close: () => sio.close() });
}

function expectOk(reply: unknown, what: string): void {
  if ((reply as { ok?: unknown } | undefined)?.ok !== true) {
    throw new Error(`${what} refused: ${JSON.stringify(reply)}`);
  }
}

async function connect(c: ConnectCommand): Promise<void> {
  await signTokens(c);
  const started = now();
  for (let i = c.first; i < c.first + c.count; i += BATCH) {
    const size = Math.min(BATCH, c.first + c.count - i);
    clients.push(...(await Promise.all(Array.from({ length: size }, (_, j) => connectOne(i + j, c)))));
  }
  process.send?.({ event: "connected", total: clients.length, ms: now() - started });
}

process.on("message", (message: { cmd?: string } & Record<string, unknown>) => {
  if (message.cmd === "connect") {
    connect(message as unknown as ConnectCommand).catch((error: unknown) => {
      process.send?.({ event: "error", error: String(error) });
    });
  } else if (message.cmd === "drop") {
    for (const client of clients.splice(clients.length - Number(message.count))) client.close();
    process.send?.({ event: "dropped", total: clients.length });
  } else if (message.cmd === "phase") {
    for (const client of clients) client.count = 0;
    scanner.total = 0;
    scanner.latencies = [];
    scanner.broadcastLatencies = [];
    scanner.recordLatency = message.latency === true;
    state.expect = Number(message.expect ?? 0);
    state.done = state.expect <= 0;
  } else if (message.cmd === "stats") {
    const counts = clients.map((c) => c.count);
    process.send?.({
      event: "stats",
      total: scanner.total,
      minPerClient: Math.min(...counts),
      maxPerClient: Math.max(...counts),
      latency: summarize([...scanner.latencies, ...scanner.broadcastLatencies]),
      roomLatency: summarize(scanner.latencies),
      broadcastLatency: summarize(scanner.broadcastLatencies),
    });
  }
});
process.stdout.write("load ready\n");
