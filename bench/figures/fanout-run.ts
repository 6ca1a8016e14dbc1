/**
 * One run of the fan-out figures (1 and 2) for one system: a fresh server process and one load
 * generator process. Clients are connected in steps up to the largest size (idle memory measured
 * at each step, after a warm-up of clients that came and went), then traffic runs from the
 * largest size down, dropping clients in between:
 *   - latency: events published at fixed offered loads (deliveries/s), every delivery timed;
 *   - burst: `burstDeliveries / size` events published at once; deliveries/s until the last client
 *     got them all (the maximum rate the system sustains, all delivered), and the server's and
 *     the load generator's CPU over that window (/proc/<pid>/stat).
 * Returns one flat record of numbers (keys like `p99@1000@20000`), so rounds can be medianed.
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
import { now, type Target } from "../lib/feeders.js";
import { ask, isEvent, sleep, stopAll } from "../lib/ipc.js";
import { cpuMeter } from "../lib/os-stats.js";

export interface FanoutPlan {
  readonly sizes: readonly number[];
  /** Offered loads for the latency phases, in deliveries per second. */
  readonly rates: readonly number[];
  readonly latencySeconds: number;
  readonly burstDeliveries: number;
  readonly warmClients: number;
}

export type RunRecord = Record<string, number>;

const ROOM: Target = { kind: "room", room: "bench:0" };
const toRoom = () => ROOM;

export async function fanoutRun(mode: ServerMode, redisUrl: string, plan: FanoutPlan): Promise<RunRecord> {
  const admin = new Redis(redisUrl);
  await admin.flushall();
  admin.disconnect();
  const record: RunRecord = {};
  let server: StartedServer | undefined;
  let load: ChildProcess | undefined;
  let driver: Driver | undefined;
  try {
    server = await startServer(mode, { url: redisUrl });
    load = await startLoad(loadKind(mode));
    const spec = { ports: [server.port], rooms: 1, roomPrefix: "bench:" };
    await connectClients(load, { ...spec, count: plan.warmClients, first: 1_000_000 });
    await dropTo(load, server, 0, plan.warmClients);
    const before = await serverMemory(server);
    const sizes = [...plan.sizes].sort((a, b) => a - b);
    let connected = 0;
    for (const size of sizes) {
      record[`connectMs@${size}`] = await connectClients(load, {
        ...spec,
        count: size - connected,
        first: connected,
      });
      connected = size;
      const after = await serverMemory(server);
      record[`rssKb@${size}`] = (after.rss - before.rss) / size / 1024;
      record[`heapKb@${size}`] = (after.heapUsed - before.heapUsed) / size / 1024;
    }
    driver = await driverFor(mode, { url: redisUrl }, server);
    for (const size of [...sizes].reverse()) {
      await dropTo(load, server, size, connected);
      connected = size;
      await latency(load, driver, size, plan.rates[0] ?? 10_000, 1, null);
      for (const rate of plan.rates) await latency(load, driver, size, rate, plan.latencySeconds, record);
      await burstPhase(load, driver, server, size, plan.burstDeliveries, record);
    }
    return record;
  } finally {
    await driver?.close();
    await Promise.all([stopAll([load]), stopServer(server)]);
  }
}

/** Drops clients down to `size` and waits until the server has seen them go. */
async function dropTo(load: ChildProcess, server: StartedServer, size: number, connected: number) {
  if (connected > size) {
    await ask(load, { cmd: "drop", count: connected - size }, isEvent("dropped"));
  }
  const deadline = Date.now() + 30_000;
  while ((await serverMemory(server)).connections !== size) {
    if (Date.now() > deadline) throw new Error(`server still has connections other than ${size}`);
    await sleep(100);
  }
}

async function latency(
  load: ChildProcess,
  driver: Driver,
  size: number,
  rate: number,
  seconds: number,
  record: RunRecord | null,
): Promise<void> {
  const perSecond = rate / size;
  const count = Math.max(10, Math.round(perSecond * seconds));
  const expect = count * size;
  const done = phase(load, true, expect, (count / perSecond) * 1000 + 15_000);
  await driver.paced(count, perSecond, toRoom);
  await done;
  const stats = await loadStats(load);
  if (!record) return;
  const key = `@${size}@${rate}`;
  record[`p50${key}`] = stats.latency.p50;
  record[`p95${key}`] = stats.latency.p95;
  record[`p99${key}`] = stats.latency.p99;
  record[`lost${key}`] = Math.max(0, expect - stats.total);
}

async function burstPhase(
  load: ChildProcess,
  driver: Driver,
  server: StartedServer,
  size: number,
  deliveries: number,
  record: RunRecord,
): Promise<void> {
  const count = Math.max(1, Math.round(deliveries / size));
  const expect = count * size;
  const done = phase(load, false, expect, 120_000);
  await sleep(50); // the phase command reaches the load generator before the first delivery
  const stopProfile = await profileWindow(server, `fig1-${server.mode}-burst-${size}`);
  const meter = cpuMeter([server.pid, load.pid ?? 0]);
  const started = now();
  await driver.burst(count, toRoom);
  const at = await done;
  const cpu = meter();
  await stopProfile();
  const stats = await loadStats(load);
  const seconds = ((at ?? now()) - started) / 1000;
  const key = `@${size}`;
  record[`deliveriesPerSec${key}`] = stats.total / seconds;
  record[`cpuUsPerDelivery${key}`] = (cpu.micros[0] ?? 0) / Math.max(1, stats.total);
  record[`serverBusy${key}`] = (cpu.micros[0] ?? 0) / 1000 / cpu.wallMs;
  record[`loadBusy${key}`] = (cpu.micros[1] ?? 0) / 1000 / cpu.wallMs;
  record[`burstLost${key}`] = Math.max(0, expect - stats.total);
  record[`burstSeconds${key}`] = seconds;
}
