/**
 * Figure 3 — many rooms: CLIENTS clients across ROOMS rooms (each client in one room, and in its
 * own user channel; ours also in `broadcast` through `hello`), then mixed traffic for SECONDS:
 * room events to pseudo-random rooms, user events to pseudo-random users, and broadcasts to all.
 * Measured: every delivery counted and timed, the server's CPU over the traffic window, connect
 * time and RSS per connection. Systems: ours (relay on Redis, EventBusClient) and the baseline
 * (socket.io + redis-adapter, emitter). The reference has one channel, so it has no place here.
 */
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import {
  connectClients,
  type Driver,
  driverFor,
  loadKind,
  loadStats,
  phase,
  profileWindow,
  type ServerMode,
  type StartedServer,
  serverMemory,
  startLoad,
  startServer,
  stopServer,
} from "../lib/drivers.js";
import type { Target } from "../lib/feeders.js";
import { stopAll } from "../lib/ipc.js";
import { cpuMeter } from "../lib/os-stats.js";
import { type FigureResult, type Metric, target } from "../lib/results.js";
import { medianOf } from "../lib/stats.js";

export interface RoomsPlan {
  readonly clients: number;
  readonly rooms: number;
  readonly seconds: number;
  /** Events per second to rooms, to users, and broadcasts. */
  readonly roomRate: number;
  readonly userRate: number;
  readonly broadcastRate: number;
  readonly rounds: number;
}

const SYSTEMS: readonly ServerMode[] = ["ours-redis", "baseline"];

async function roomsRun(mode: ServerMode, url: string, p: RoomsPlan): Promise<Record<string, number>> {
  const admin = new Redis(url);
  await admin.flushall();
  admin.disconnect();
  let server: StartedServer | undefined;
  let load: ChildProcess | undefined;
  let driver: Driver | undefined;
  try {
    server = await startServer(mode, { url });
    load = await startLoad(loadKind(mode));
    const before = await serverMemory(server);
    const spec = { ports: [server.port], rooms: p.rooms, roomPrefix: "r:", hello: true };
    const connectMs = await connectClients(load, { ...spec, count: p.clients, first: 0 });
    const after = await serverMemory(server);
    driver = await driverFor(mode, { url }, server);
    const d = driver;
    const counts = {
      room: p.roomRate * p.seconds,
      user: p.userRate * p.seconds,
      broadcast: p.broadcastRate * p.seconds,
    };
    const expect = counts.room * (p.clients / p.rooms) + counts.user + counts.broadcast * p.clients;
    const done = phase(load, true, expect, p.seconds * 1000 + 20_000);
    const stopProfile = await profileWindow(server, `fig3-${mode}`);
    const meter = cpuMeter([server.pid, load.pid ?? 0]);
    const room = (seq: number): Target => ({ kind: "room", room: `r:${(seq * 7919) % p.rooms}` });
    const user = (seq: number): Target => ({ kind: "user", user: `bench-${(seq * 104_729) % p.clients}` });
    await Promise.all([
      d.paced(counts.room, p.roomRate, room),
      d.paced(counts.user, p.userRate, user),
      d.paced(counts.broadcast, p.broadcastRate, () => ({ kind: "broadcast" })),
    ]);
    await done;
    const cpu = meter();
    await stopProfile();
    const stats = await loadStats(load);
    return {
      connectMs,
      rssKb: (after.rss - before.rss) / p.clients / 1024,
      delivered: stats.total,
      lost: Math.max(0, expect - stats.total),
      extra: Math.max(0, stats.total - expect),
      p50: stats.roomLatency.p50,
      p95: stats.roomLatency.p95,
      p99: stats.roomLatency.p99,
      bp50: stats.broadcastLatency.p50,
      bp95: stats.broadcastLatency.p95,
      bp99: stats.broadcastLatency.p99,
      cpuUs: (cpu.micros[0] ?? 0) / Math.max(1, stats.total),
      serverBusy: (cpu.micros[0] ?? 0) / 1000 / cpu.wallMs,
      loadBusy: (cpu.micros[1] ?? 0) / 1000 / cpu.wallMs,
    };
  } finally {
    await driver?.close();
    await Promise.all([stopAll([load]), stopServer(server)]);
  }
}

export async function roomsFigure(
  o: RoomsPlan & { readonly redisUrl: string; readonly log: (text: string) => void },
): Promise<FigureResult> {
  const started = performance.now();
  const runs = new Map<ServerMode, Record<string, number>[]>(SYSTEMS.map((s) => [s, []]));
  for (let r = 0; r < o.rounds; r++) {
    for (const mode of r % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse()) {
      const result = await roomsRun(mode, o.redisUrl, o);
      runs.get(mode)?.push(result);
      o.log(`rooms round ${r + 1}/${o.rounds} ${mode}: ${JSON.stringify(result)}`);
    }
  }
  const med = new Map(SYSTEMS.map((s) => [s, medianOf(runs.get(s) ?? [])]));
  const row = (name: string, unit: string, key: string, scale = 1): Metric => ({
    name,
    unit,
    values: Object.fromEntries(SYSTEMS.map((s) => [s, (med.get(s)?.[key] ?? Number.NaN) * scale])),
  });
  const of = (s: ServerMode, key: string) => med.get(s)?.[key] ?? Number.NaN;
  const offered = o.roomRate * (o.clients / o.rooms) + o.userRate + o.broadcastRate * o.clients;
  return {
    id: 3,
    title: "Many rooms, mixed traffic",
    setup:
      `${o.clients} clients across ${o.rooms} rooms (${o.clients / o.rooms} per room, each also in its user channel); ` +
      `${o.seconds} s of ${o.roomRate} room events/s, ${o.userRate} user events/s and ${o.broadcastRate} broadcast/s ` +
      `(≈ ${Math.round(offered).toLocaleString("en-US")} deliveries/s). Median of ${o.rounds} round(s).`,
    systems: SYSTEMS,
    metrics: [
      row("deliveries received", "deliveries", "delivered"),
      row("lost (expected − received)", "deliveries", "lost"),
      row("p50 publish→deliver, room and user events", "ms", "p50"),
      row("p95 publish→deliver, room and user events", "ms", "p95"),
      row("p99 publish→deliver, room and user events", "ms", "p99"),
      row(`p50 publish→deliver, broadcasts to all ${o.clients}`, "ms", "bp50"),
      row(`p95 publish→deliver, broadcasts to all ${o.clients}`, "ms", "bp95"),
      row(`p99 publish→deliver, broadcasts to all ${o.clients}`, "ms", "bp99"),
      row("server CPU per delivery (whole window)", "µs", "cpuUs"),
      row("server CPU busy", "% of a core", "serverBusy", 100),
      row("load-generator CPU", "% of a core", "loadBusy", 100),
      row("time to connect and join", "ms", "connectMs"),
      row("RSS per connection", "KiB", "rssKb"),
    ],
    targets: [
      target("ours loses nothing", of("ours-redis", "lost"), "deliveries lost", { atMost: 0 }),
      target(
        "p99 of room and user events vs baseline",
        of("ours-redis", "p99") / of("baseline", "p99"),
        "ours ÷ baseline",
        {
          atMost: 1,
        },
      ),
      target(
        "p99 of broadcasts vs baseline",
        of("ours-redis", "bp99") / of("baseline", "bp99"),
        "ours ÷ baseline",
        {
          atMost: 1,
        },
      ),
      target(
        "CPU/delivery vs baseline",
        of("baseline", "cpuUs") / of("ours-redis", "cpuUs"),
        "baseline µs ÷ ours µs",
        {
          atLeast: 1.2,
        },
      ),
    ],
    notes: [
      "Ours holds one Redis subscription per channel with local sockets (rooms, users, broadcast); the baseline one pattern for everything.",
      ...SYSTEMS.map((s) => {
        const rounds = runs.get(s) ?? [];
        const list = (key: string) => rounds.map((r) => Math.round(r[key] ?? Number.NaN)).join(", ");
        return `${s} per round — p99 room/user events: ${list("p99")} ms; p99 broadcasts: ${list("bp99")} ms; CPU per delivery: ${rounds.map((r) => (r.cpuUs ?? Number.NaN).toFixed(1)).join(", ")} µs.`;
      }),
    ],
    durationSeconds: (performance.now() - started) / 1000,
  };
}
