/**
 * Figure 5 — recovery storm. CLIENTS SDK clients (bench/procs/storm-load.ts, split over PROCESSES
 * load-generator processes) join ROOMS rooms on one relay (Redis). The relay is SIGKILLed; while it
 * is down a backend (EventBusClient) publishes MISSED events to every room; the relay is started
 * again on the same port and every client reconnects at once (backoff 50–250 ms) and recovers
 * from history. Measured from the moment the new relay listens: time until every client's
 * handlers hold all MISSED events of its room, lost and duplicated events (as the app sees them),
 * gaps reported, and the CPU of Redis (INFO cpu), the relay and the load generators.
 */
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort, stopProcess } from "../../test/harness/processes.js";
import type { RedisServer } from "../../test/harness/redis-server.js";
import { profileWindow, SECRET, type StartedServer, startServer, stopServer } from "../lib/drivers.js";
import { type Feeder, now, oursFeeder } from "../lib/feeders.js";
import { ask, child, isEvent, line, sleep, stopAll } from "../lib/ipc.js";
import { cpuMeter, redisCpuMicros } from "../lib/os-stats.js";
import { type FigureResult, target } from "../lib/results.js";
import { summarize } from "../lib/stats.js";

export interface RecoveryPlan {
  readonly clients: number;
  readonly rooms: number;
  readonly missed: number;
  readonly processes: number;
  readonly timeoutSeconds: number;
}

interface StormStats {
  readonly clients: number;
  readonly complete: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly gaps: number;
  readonly completedAt: readonly number[];
}

async function publishOutage(feeder: Feeder, p: RecoveryPlan): Promise<number> {
  const started = now();
  const total = p.rooms * p.missed;
  for (let from = 0; from < total; from += 2_000) {
    const batch: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(total, from + 2_000); i++) {
      batch.push(feeder.send({ kind: "room", room: `storm:${i % p.rooms}` }, Math.floor(i / p.rooms)));
    }
    await Promise.all(batch);
  }
  return now() - started;
}

export async function recoveryFigure(
  o: RecoveryPlan & { readonly redis: RedisServer; readonly log: (text: string) => void },
): Promise<FigureResult> {
  const started = performance.now();
  const admin = new Redis(o.redis.url);
  await admin.flushall();
  admin.disconnect();
  const port = await freePort();
  let relay: StartedServer | undefined;
  const loads: ChildProcess[] = [];
  let feeder: Feeder | undefined;
  try {
    relay = await startServer("ours-redis", { url: o.redis.url }, port);
    for (let k = 0; k < o.processes; k++) {
      const proc = child("bench/procs/storm-load.ts", [], { JWT_SECRET: SECRET });
      loads.push(proc);
      await line(proc, /storm ready/);
    }
    const per = Math.ceil(o.clients / o.processes);
    const connectStarted = now();
    await Promise.all(
      loads.map((proc, k) =>
        ask(
          proc,
          {
            cmd: "connect",
            port,
            first: k * per,
            count: Math.min(per, o.clients - k * per),
            rooms: o.rooms,
            roomPrefix: "storm:",
          },
          isEvent("connected"),
          300_000,
        ),
      ),
    );
    const connectMs = now() - connectStarted;
    await Promise.all(loads.map((proc) => ask(proc, { cmd: "arm", expect: o.missed }, isEvent("armed"))));
    feeder = await oursFeeder({ redis: o.redis.url });
    await stopProcess(relay.proc, "SIGKILL");
    const publishMs = await publishOutage(feeder, o);
    await sleep(500);
    const redisBefore = await redisCpuMicros(o.redis.url);
    const recovered = loads.map((proc) =>
      ask(proc, {}, isEvent<{ at: number }>("recovered"), o.timeoutSeconds * 1000).then(
        (r) => r.at,
        () => Number.NaN,
      ),
    );
    relay = await startServer("ours-redis", { url: o.redis.url }, port);
    const listeningAt = now();
    const meter = cpuMeter([relay.pid, ...loads.map((l) => l.pid ?? 0)]);
    const stopProfile = await profileWindow(relay, "fig5-storm");
    const ats = await Promise.all(recovered);
    const cpu = meter();
    await stopProfile();
    const redisCpu = (await redisCpuMicros(o.redis.url)) - redisBefore;
    const stats = await Promise.all(
      loads.map((proc) => ask(proc, { cmd: "stats" }, isEvent<StormStats>("stats"))),
    );
    const sum = (key: "clients" | "complete" | "lost" | "duplicates" | "gaps") =>
      stats.reduce((s, x) => s + x[key], 0);
    const times = summarize(stats.flatMap((s) => s.completedAt.map((t) => t - listeningAt)));
    const allMs = ats.some(Number.isNaN) ? Number.NaN : Math.max(...ats) - listeningAt;
    const values = {
      allRecoveredMs: allMs,
      p50: times.p50,
      p99: times.p99,
      complete: sum("complete"),
      lost: sum("lost"),
      duplicates: sum("duplicates"),
      gaps: sum("gaps"),
      redisCpuMs: redisCpu / 1000,
      relayCpuMs: (cpu.micros[0] ?? 0) / 1000,
      loadCpuMs: cpu.micros.slice(1).reduce((a, b) => a + b, 0) / 1000,
      windowMs: cpu.wallMs,
      connectMs,
      publishMs,
    };
    o.log(`recovery storm: ${JSON.stringify(values)}`);
    return figure(o, values, (performance.now() - started) / 1000);
  } finally {
    await feeder?.close();
    await Promise.all([stopAll(loads), stopServer(relay)]);
  }
}

function figure(o: RecoveryPlan, v: Record<string, number>, seconds: number): FigureResult {
  const one = (name: string, unit: string, key: string) => ({
    name,
    unit,
    values: { "ours-redis": v[key] ?? null },
  });
  const window = v.windowMs ?? Number.NaN;
  return {
    id: 5,
    title: "Recovery storm after a relay restart",
    setup:
      `${o.clients} SDK clients (createEventBus in Node, ${o.processes} processes) in ${o.rooms} rooms; relay SIGKILLed, ` +
      `${o.missed} events published to every room meanwhile (each client misses ${o.missed}), relay restarted on the same ` +
      `port; times from the moment it listens. One round.`,
    systems: ["ours-redis"],
    metrics: [
      one("time until every client recovered", "ms", "allRecoveredMs"),
      one("per-client recovery time p50", "ms", "p50"),
      one("per-client recovery time p99", "ms", "p99"),
      one("clients that recovered everything", "clients", "complete"),
      one("events lost (as the app sees them)", "events", "lost"),
      one("events delivered twice (as the app sees them)", "events", "duplicates"),
      one("gaps reported (recovered: false)", "gaps", "gaps"),
      one("Redis CPU during the storm", "ms", "redisCpuMs"),
      one("relay CPU during the storm", "ms", "relayCpuMs"),
      one("load generators' CPU during the storm", "ms", "loadCpuMs"),
      one("storm window (restart → all recovered)", "ms", "windowMs"),
      one("initial connect of all clients", "ms", "connectMs"),
      one("publishing the missed events (relay down)", "ms", "publishMs"),
    ],
    targets: [
      target("every client recovered", v.complete ?? 0, `clients of ${o.clients}`, { atLeast: o.clients }),
      target("no event lost", v.lost ?? Number.NaN, "events", { atMost: 0 }),
      target("no event delivered twice", v.duplicates ?? Number.NaN, "events", { atMost: 0 }),
    ],
    notes: [
      `Redis was busy ${(((v.redisCpuMs ?? 0) / window) * 100).toFixed(0)}% of a core and the relay ${(((v.relayCpuMs ?? 0) / window) * 100).toFixed(0)}% over the storm window; the load generators ${(((v.loadCpuMs ?? 0) / window) * 100).toFixed(0)}% (of one core, summed).`,
    ],
    durationSeconds: seconds,
  };
}
