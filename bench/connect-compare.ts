/**
 * Connect-and-join time, ours vs the baseline, in the same run (issue 17, goal 4): for each round
 * and each system a fresh server process (bench/procs/server.ts) and load generator, `warm` clients
 * connected and dropped, then N clients connected and joined to one room (figure 2's shape; with
 * `hello`, figure 3's: the SDK's hello before the join). Systems alternate within a round so the
 * machine's load hits both alike. Prints each time, the medians, ours ÷ baseline and the load.
 *
 *   npx tsx bench/connect-compare.ts [clients=5000] [rounds=3] [hello]
 *   BENCH_PROFILE_DIR=/tmp/p npx tsx bench/connect-compare.ts 2000 1   (server CPU profiles of the connect)
 */
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { startRedis } from "../test/harness/redis-server.js";
import {
  connectClients,
  loadKind,
  profileWindow,
  type ServerMode,
  startLoad,
  startServer,
  stopServer,
} from "./lib/drivers.js";
import { ask, isEvent, stopAll } from "./lib/ipc.js";
import { cpuMeter } from "./lib/os-stats.js";

const clients = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 3);
const hello = process.argv[4] === "hello";
const systems: readonly ServerMode[] = ["ours-redis", "baseline"];

interface Run {
  readonly ms: number;
  /** CPU per client, µs: the server's, the load generator's. */
  readonly serverUs: number;
  readonly loadUs: number;
}

async function once(mode: ServerMode, url: string): Promise<Run> {
  const admin = new Redis(url);
  await admin.flushall();
  admin.disconnect();
  const server = await startServer(mode, { url });
  const load = await startLoad(loadKind(mode));
  try {
    const spec = { ports: [server.port], rooms: 1, roomPrefix: "bench:", hello };
    await connectClients(load, { ...spec, count: 200, first: 1_000_000 });
    await ask(load, { cmd: "drop", count: 200 }, isEvent("dropped"));
    const stopProfile = await profileWindow(server, `connect-${mode}`);
    const meter = cpuMeter([server.pid, load.pid ?? 0]);
    const ms = await connectClients(load, { ...spec, count: clients, first: 0 });
    await stopProfile();
    const [serverUs = 0, loadUs = 0] = meter().micros.map((us) => us / clients);
    return { ms, serverUs, loadUs };
  } finally {
    await Promise.all([stopAll([load]), stopServer(server)]);
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const redis = await startRedis();
const times: Record<string, number[]> = { "ours-redis": [], baseline: [] };
const cpu: Record<string, number[]> = { "ours-redis": [], baseline: [] };
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? systems : [...systems].reverse();
    for (const mode of order) {
      const load = loadavg()[0]?.toFixed(1);
      const run = await once(mode, redis.url);
      times[mode]?.push(run.ms);
      cpu[mode]?.push(run.serverUs);
      process.stdout.write(
        `round ${round + 1} ${mode}: ${run.ms.toFixed(0)} ms; CPU per client: server ${run.serverUs.toFixed(0)} µs, ` +
          `load generator ${run.loadUs.toFixed(0)} µs (load ${load})\n`,
      );
    }
  }
} finally {
  await redis.stop();
}
const ours = median(times["ours-redis"] ?? []);
const base = median(times.baseline ?? []);
const oursCpu = median(cpu["ours-redis"] ?? []);
const baseCpu = median(cpu.baseline ?? []);
process.stdout.write(
  `${clients} clients${hello ? " with hello" : ""}, median of ${rounds}: ours ${ours.toFixed(0)} ms, ` +
    `baseline ${base.toFixed(0)} ms, ours ÷ baseline ${(ours / base).toFixed(2)}; server CPU per client ` +
    `${oursCpu.toFixed(0)} vs ${baseCpu.toFixed(0)} µs (${(oursCpu / baseCpu).toFixed(2)}); load now ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
);
