/**
 * Recovery-storm clients (figure 5), in their own process: the browser SDK (`createEventBus`, as an
 * app uses it, running in Node) — so loss and duplicates are counted where an app would see them,
 * in its handlers, after the SDK's recovery and de-duplication. Reconnect backoff 50–250 ms: after a
 * relay restart every client is back within a quarter of a second (a storm). Controlled over IPC:
 *   { cmd: "connect", port, first, count, rooms, roomPrefix } → { event: "connected", total }
 *       client i joins room `${roomPrefix}${i % rooms}` as user `storm-<i>`
 *   { cmd: "arm", expect } → counts events with data.seq < expect from now on; { event: "recovered", at }
 *       once every client holds all `expect` of its room's events
 *   { cmd: "stats" } → { event: "stats", clients, complete, lost, duplicates, gaps, completedAt[] }
 *
 *   JWT_SECRET=… node --import tsx bench/procs/storm-load.ts
 */
import { createEventBus } from "../../client/create-event-bus.js";
import type { EventBus } from "../../client/types.js";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { now } from "../lib/feeders.js";

const secret = process.env.JWT_SECRET ?? "";
const BATCH = 50;

interface StormClient {
  readonly bus: EventBus<Record<string, unknown>>;
  seen: Set<number>;
  duplicates: number;
  completedAt: number;
}

const clients: StormClient[] = [];
const state = { expect: 0, armed: false, complete: 0, gaps: 0, reported: false };

function onEvent(client: StormClient, seq: unknown): void {
  if (!state.armed || typeof seq !== "number" || seq >= state.expect) return;
  if (client.seen.has(seq)) {
    client.duplicates++;
    return;
  }
  client.seen.add(seq);
  if (client.seen.size === state.expect) {
    client.completedAt = now();
    state.complete++;
    if (state.complete === clients.length && !state.reported) {
      state.reported = true;
      process.send?.({ event: "recovered", at: client.completedAt });
    }
  }
}

async function connectOne(i: number, port: number, room: string): Promise<StormClient> {
  const user = `storm-${i}`;
  const token = await createDevToken({ sub: user, secret, rooms: ["storm:*"], ttl: "4h" });
  const bus = createEventBus<Record<string, unknown>>({
    url: `http://127.0.0.1:${port}`,
    token,
    reconnect: { minDelay: 50, maxDelay: 250 },
    requestTimeout: 30_000,
    connectTimeout: 30_000,
  });
  const client: StormClient = { bus, seen: new Set(), duplicates: 0, completedAt: 0 };
  bus.on("gap", () => {
    if (state.armed) state.gaps++;
  });
  bus.on("error", () => {});
  const handle = bus.room(room);
  handle.on("*", (event) => onEvent(client, (event.data as { seq?: unknown } | undefined)?.seq));
  await handle.joined;
  return client;
}

interface ConnectCommand {
  readonly port: number;
  readonly first: number;
  readonly count: number;
  readonly rooms: number;
  readonly roomPrefix: string;
}

async function connect(c: ConnectCommand): Promise<void> {
  for (let i = c.first; i < c.first + c.count; i += BATCH) {
    const size = Math.min(BATCH, c.first + c.count - i);
    const batch = Array.from({ length: size }, (_, j) =>
      connectOne(i + j, c.port, `${c.roomPrefix}${(i + j) % c.rooms}`),
    );
    clients.push(...(await Promise.all(batch)));
  }
  process.send?.({ event: "connected", total: clients.length });
}

process.on("message", (message: { cmd?: string } & Record<string, unknown>) => {
  if (message.cmd === "connect") {
    connect(message as unknown as ConnectCommand).catch((error: unknown) =>
      process.send?.({ event: "error", error: String(error) }),
    );
  } else if (message.cmd === "arm") {
    Object.assign(state, {
      expect: Number(message.expect),
      armed: true,
      complete: 0,
      gaps: 0,
      reported: false,
    });
    for (const client of clients) Object.assign(client, { seen: new Set(), duplicates: 0, completedAt: 0 });
    process.send?.({ event: "armed" });
  } else if (message.cmd === "stats") {
    process.send?.({
      event: "stats",
      clients: clients.length,
      complete: state.complete,
      lost: clients.reduce((sum, c) => sum + (state.expect - c.seen.size), 0),
      duplicates: clients.reduce((sum, c) => sum + c.duplicates, 0),
      gaps: state.gaps,
      completedAt: clients.map((c) => c.completedAt).filter((t) => t > 0),
    });
  }
});
process.stdout.write("storm ready\n");
