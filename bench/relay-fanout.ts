/**
 * Relay fan-out benchmark — prints figures and pass/fail against the targets.
 *
 *   npx tsx bench/relay-fanout.ts                  (≈ 3 minutes; starts its own redis-server)
 *   BENCH_CLIENTS=1000 BENCH_BURST=1000 BENCH_RATE=20 BENCH_LATENCY_MESSAGES=100 npx tsx bench/relay-fanout.ts
 *
 * Same run, same machine, all on 127.0.0.1, each in its own process: one redis-server, the server
 * under test (bench/relay-bench-server.ts), the load generator (bench/relay-bench-load.ts: CLIENTS
 * raw WebSocket connections in one room), and this process publishing.
 *   relay:    createRelay on Redis; events published through the history script (publishRecoverable)
 *   baseline: a plain socket.io server with @socket.io/redis-adapter, fed by @socket.io/redis-emitter
 * Measured per server:
 *   - RSS per idle connection: (RSS after CLIENTS joined − RSS before) / CLIENTS, both after a full GC,
 *     "before" taken after a warm-up of WARM_CLIENTS connections that came and went (and the JS heap
 *     per connection the same way, for information: RSS moves in pages and is noisy);
 *   - publish→deliver latency p50/p99 over every delivery at a moderate fixed rate;
 *   - fan-out throughput: BURST events published at once, deliveries/s until the last client got all;
 *   - server CPU µs per delivery over that window, from /proc/<pid>/stat (utime + stime).
 * Targets: throughput ≥ 1.2× baseline, p99 ≤ baseline, memory per connection ≤ 1.2× baseline.
 */
import type { ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { Emitter } from "@socket.io/redis-emitter";
import { Redis } from "ioredis";
import { encodeEvent } from "../protocol/codec.js";
import { createBroker } from "../relay/brokers/create-broker.js";
import { stopProcess } from "../test/harness/processes.js";
import { type RedisServer, startRedis } from "../test/harness/redis-server.js";
import { ask, child, cpuMicros, isDone, isRss, isStats, line } from "./relay-bench-ipc.js";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const BURST = Number(process.env.BENCH_BURST ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const LATENCY_MESSAGES = Number(process.env.BENCH_LATENCY_MESSAGES ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_CLIENTS = Number(process.env.BENCH_WARM_CLIENTS ?? 200);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS ?? 600_000);
const SECRET = "bench-secret-0123456789abcdef0123456789";
const now = () => performance.timeOrigin + performance.now();

type Mode = "relay" | "baseline";

interface Result {
  readonly mode: Mode;
  readonly rssPerConnectionKb: number;
  readonly heapPerConnectionKb: number;
  readonly p50: number;
  readonly p99: number;
  readonly deliveriesPerSecond: number;
  readonly cpuMicrosPerDelivery: number;
}

type Publish = (seq: number) => Promise<unknown>;

async function publisher(
  mode: Mode,
  redis: RedisServer,
): Promise<{ publish: Publish; close: () => Promise<void> }> {
  const body = (seq: number) =>
    encodeEvent({
      type: "photo.processing.progress",
      data: { t: now(), seq, photoId: "photo-123", progress: 42, stage: "thumbnails" },
      source: "bench",
    }).json;
  if (mode === "relay") {
    const broker = createBroker({ broker: "redis", url: redis.url });
    await broker.connect();
    return {
      publish: (seq) => broker.publishRecoverable("room:bench:1", body(seq)),
      close: () => broker.close(),
    };
  }
  const client = new Redis(redis.url);
  const emitter = new Emitter(client);
  return {
    publish: async (seq) => emitter.to("bench").emit("m", "room:bench:1", body(seq)),
    close: async () => {
      client.disconnect();
    },
  };
}

async function latencyPhase(load: ChildProcess, publish: Publish): Promise<{ p50: number; p99: number }> {
  load.send({ cmd: "phase", phase: "latency" });
  const started = now();
  for (let seq = 0; seq < LATENCY_MESSAGES; seq++) {
    const due = started + (seq * 1000) / RATE;
    if (due > now()) await new Promise((r) => setTimeout(r, due - now()));
    await publish(seq);
  }
  for (;;) {
    const stats = await ask(load, { cmd: "stats" }, isStats);
    if (stats.count >= LATENCY_MESSAGES * CLIENTS) return stats.latencies;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function throughputPhase(server: ChildProcess, load: ChildProcess, publish: Publish) {
  load.send({ cmd: "phase", phase: "throughput", expect: BURST });
  const done = ask(load, {}, isDone);
  const pid = server.pid ?? 0;
  const cpuBefore = cpuMicros(pid);
  const started = now();
  await Promise.all(Array.from({ length: BURST }, (_, seq) => publish(seq)));
  const { at } = await done;
  const cpu = cpuMicros(pid) - cpuBefore;
  const deliveries = BURST * CLIENTS;
  return {
    deliveriesPerSecond: deliveries / ((at - started) / 1000),
    cpuMicrosPerDelivery: cpu / deliveries,
  };
}

/**
 * Connects and drops WARM_CLIENTS first, so one-time costs (JIT-compiled connection paths, lazily
 * grown pools) are not counted as per-connection memory; waits until the server saw them all leave.
 */
async function warmUp(server: ChildProcess, env: Record<string, string>): Promise<void> {
  const load = child("bench/relay-bench-load.ts", [], { ...env, CLIENTS: String(WARM_CLIENTS) });
  try {
    await line(load, /ready (\d+)/);
  } finally {
    await stopProcess(load, "SIGKILL");
  }
  for (;;) {
    const { connections } = await ask(server, { cmd: "memory" }, isRss);
    if (connections === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Connects CLIENTS idle sockets and returns the memory they cost the server, per connection. */
async function connectLoad(server: ChildProcess, env: Record<string, string>) {
  const before = await ask(server, { cmd: "memory" }, isRss);
  const load = child("bench/relay-bench-load.ts", [], { ...env, CLIENTS: String(CLIENTS) });
  await line(load, /ready (\d+)/);
  const after = await ask(server, { cmd: "memory" }, isRss);
  if (process.env.BENCH_DEBUG) console.error(env.MODE, { before, after });
  return {
    load,
    rssPerConnectionKb: (after.rss - before.rss) / CLIENTS / 1024,
    heapPerConnectionKb: (after.heapUsed - before.heapUsed) / CLIENTS / 1024,
  };
}

async function run(mode: Mode, redis: RedisServer): Promise<Result> {
  const admin = new Redis(redis.url);
  await admin.flushall();
  admin.disconnect();
  const env = { REDIS_URL: redis.url, JWT_SECRET: SECRET, MODE: mode };
  const server = child("bench/relay-bench-server.ts", [mode], env, ["--expose-gc"]);
  let load: ChildProcess | undefined;
  let pub: Awaited<ReturnType<typeof publisher>> | undefined;
  try {
    const port = (await line(server, /listening (\d+)/))[1] ?? "";
    await warmUp(server, { ...env, PORT: port });
    const memory = await connectLoad(server, { ...env, PORT: port });
    load = memory.load;
    pub = await publisher(mode, redis);
    await latencyPhase(load, pub.publish); // warm-up: JIT, scripts, buffers
    const { p50, p99 } = await latencyPhase(load, pub.publish);
    const throughput = await throughputPhase(server, load, pub.publish);
    const { rssPerConnectionKb, heapPerConnectionKb } = memory;
    return { mode, rssPerConnectionKb, heapPerConnectionKb, p50, p99, ...throughput };
  } finally {
    await pub?.close();
    if (load) await stopProcess(load, "SIGKILL");
    await stopProcess(server, "SIGKILL");
  }
}

/** Per-metric median over the rounds of one mode (the machine is shared; single runs are noisy). */
function median(results: readonly Result[], mode: Mode): Result {
  const mine = results.filter((r) => r.mode === mode);
  const mid = (key: Exclude<keyof Result, "mode">) => {
    const sorted = mine.map((r) => r[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  return {
    mode,
    rssPerConnectionKb: mid("rssPerConnectionKb"),
    heapPerConnectionKb: mid("heapPerConnectionKb"),
    p50: mid("p50"),
    p99: mid("p99"),
    deliveriesPerSecond: mid("deliveriesPerSecond"),
    cpuMicrosPerDelivery: mid("cpuMicrosPerDelivery"),
  };
}

function report(relay: Result, baseline: Result): boolean {
  const rows: [string, number, number, string, (ratio: number) => boolean | null][] = [
    [
      "fan-out deliveries/s",
      relay.deliveriesPerSecond,
      baseline.deliveriesPerSecond,
      "≥ 1.2×",
      (r) => r >= 1.2,
    ],
    [
      "server CPU µs/delivery",
      relay.cpuMicrosPerDelivery,
      baseline.cpuMicrosPerDelivery,
      "(info)",
      () => null,
    ],
    ["publish→deliver p50 ms", relay.p50, baseline.p50, "(info)", () => null],
    ["publish→deliver p99 ms", relay.p99, baseline.p99, "≤ 1.0×", (r) => r <= 1],
    [
      "RSS per idle conn KB",
      relay.rssPerConnectionKb,
      baseline.rssPerConnectionKb,
      "≤ 1.2×",
      (r) => r <= 1.2,
    ],
    [
      "JS heap per idle conn KB",
      relay.heapPerConnectionKb,
      baseline.heapPerConnectionKb,
      "(info)",
      () => null,
    ],
  ];
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  console.log(
    `\nRelay fan-out: ${CLIENTS} clients in one room, burst ${BURST}, latency at ${RATE} msg/s, median of ${ROUNDS} rounds\n`,
  );
  console.log(
    `${"metric".padEnd(26)}${"relay".padStart(12)}${"baseline".padStart(12)}${"ratio".padStart(9)}  target  result`,
  );
  let ok = true;
  for (const [name, r, b, target, check] of rows) {
    const ratio = r / b;
    const verdict = check(ratio);
    if (verdict === false) ok = false;
    const result = verdict === null ? "" : verdict ? "PASS" : "FAIL";
    console.log(
      `${name.padEnd(26)}${fmt(r).padStart(12)}${fmt(b).padStart(12)}${`${ratio.toFixed(2)}×`.padStart(9)}  ${target.padEnd(6)}  ${result}`,
    );
  }
  return ok;
}

async function main(): Promise<number> {
  const redis = await startRedis();
  const deadline = setTimeout(() => {
    console.error(`benchmark exceeded ${DEADLINE_MS} ms; aborting`);
    process.exit(1);
  }, DEADLINE_MS);
  try {
    const results: Result[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order: Mode[] = round % 2 === 0 ? ["relay", "baseline"] : ["baseline", "relay"];
      for (const mode of order) {
        const result = await run(mode, redis);
        results.push(result);
        console.error(`round ${round + 1}/${ROUNDS} ${JSON.stringify(result)}`);
      }
    }
    return report(median(results, "relay"), median(results, "baseline")) ? 0 : 1;
  } finally {
    clearTimeout(deadline);
    await redis.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
