/**
 * Drivers: a server process under test plus how to feed it, as the figures use them. The servers
 * are bench/procs/server.ts children; the load generator is bench/procs/fanout-load.ts.
 * BENCH_PROFILE_DIR=<dir> writes a CPU profile of each server's measured windows into that folder.
 */
import type { ChildProcess } from "node:child_process";
import { stopProcess } from "../../test/harness/processes.js";
import {
  baselineFeeder,
  burst,
  type Feeder,
  type Nodes,
  oursFeeder,
  paced,
  referenceFeeder,
  shardedBaselineFeeder,
  type Target,
} from "./feeders.js";
import { ask, child, isEvent, line } from "./ipc.js";
import type { LatencySummary } from "./stats.js";

export const SECRET = "bench-secret-0123456789abcdef0123456789";

export type ServerMode =
  | "ours-redis"
  | "ours-memory"
  | "ours-cluster"
  | "baseline"
  | "baseline-cluster"
  | "baseline-sharded"
  | "reference";

/** The load generator's client dialect for a server mode. */
export function loadKind(mode: ServerMode): "ours" | "baseline" | "reference" {
  if (mode.startsWith("ours")) return "ours";
  return mode === "reference" ? "reference" : "baseline";
}

export interface Backend {
  readonly url?: string;
  readonly nodes?: Nodes;
}

export interface StartedServer {
  readonly mode: ServerMode;
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly port: number;
}

export async function startServer(mode: ServerMode, backend: Backend, port = 0): Promise<StartedServer> {
  const env: Record<string, string> = { JWT_SECRET: SECRET, PORT: String(port) };
  if (backend.url) env.REDIS_URL = backend.url;
  if (backend.nodes) env.REDIS_NODES = backend.nodes.map((n) => `${n.host}:${n.port}`).join(",");
  const proc = child("bench/procs/server.ts", [mode], env, ["--expose-gc"]);
  const listening = await line(proc, /listening (\d+)/);
  return { mode, proc, pid: proc.pid ?? 0, port: Number(listening[1]) };
}

export async function stopServer(server: StartedServer | undefined): Promise<void> {
  if (server) await stopProcess(server.proc, "SIGKILL");
}

/**
 * With BENCH_PROFILE_DIR set, CPU-profiles the server (V8 sampling profiler, via node:inspector in
 * the server process) from now until the returned function is called, which writes
 * `<dir>/<label>.cpuprofile` (summarise with bench/profile.ts). Without it, does nothing.
 */
export async function profileWindow(server: StartedServer, label: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return async () => {};
  await ask(server.proc, { cmd: "profile", action: "start" }, isEvent("profiling"));
  const file = `${dir}/${label}.cpuprofile`;
  return async () => {
    await ask(server.proc, { cmd: "profile", action: "stop", file }, isEvent("profiled"));
  };
}

export interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly connections: number;
}

export function serverMemory(server: StartedServer): Promise<Memory> {
  return ask(server.proc, { cmd: "memory" }, isEvent<Memory>("memory"));
}

/** Feeds one system: `burst` and `paced` publishes to targets chosen per sequence number. */
export interface Driver {
  burst(count: number, target: (seq: number) => Target): Promise<void>;
  paced(count: number, rate: number, target: (seq: number) => Target): Promise<void>;
  close(): Promise<void>;
}

function local(feeder: Feeder): Driver {
  return {
    burst: (count, target) => burst(feeder, count, target),
    paced: (count, rate, target) => paced(feeder, count, rate, target),
    close: () => feeder.close(),
  };
}

/** ours-memory: the EventBusClient lives in the relay's process; it feeds one room on request. */
function remote(server: StartedServer): Driver {
  const feed = async (how: string, count: number, rate: number, target: (seq: number) => Target) => {
    const first = target(0);
    if (first.kind !== "room") throw new Error("ours-memory is fed one room at a time");
    const reply = await ask(
      server.proc,
      { cmd: "feed", how, count, rate, room: first.room },
      isEvent<{ error?: string }>("fed"),
      300_000,
    );
    if (reply.error) throw new Error(reply.error);
  };
  return {
    burst: (count, target) => feed("burst", count, 0, target),
    paced: (count, rate, target) => feed("paced", count, rate, target),
    close: async () => {},
  };
}

export async function driverFor(mode: ServerMode, backend: Backend, server: StartedServer): Promise<Driver> {
  const nodes = backend.nodes ?? [];
  switch (mode) {
    case "ours-redis":
      return local(await oursFeeder({ redis: backend.url ?? "" }));
    case "ours-cluster":
      return local(await oursFeeder({ cluster: nodes }));
    case "ours-memory":
      return remote(server);
    case "baseline":
      return local(baselineFeeder(backend.url ?? ""));
    case "baseline-cluster":
      return local(baselineFeeder(nodes));
    case "baseline-sharded":
      return local(shardedBaselineFeeder(nodes));
    case "reference":
      return local(referenceFeeder(backend.url ?? ""));
  }
}

/** A fanout-load.ts process speaking `kind`'s dialect. */
export async function startLoad(kind: "ours" | "baseline" | "reference"): Promise<ChildProcess> {
  const proc = child("bench/procs/fanout-load.ts", [], { KIND: kind, JWT_SECRET: SECRET });
  await line(proc, /load ready/);
  return proc;
}

export interface ConnectSpec {
  readonly ports: readonly number[];
  readonly count: number;
  readonly first: number;
  readonly rooms: number;
  readonly roomPrefix: string;
  readonly hello?: boolean;
}

export async function connectClients(load: ChildProcess, spec: ConnectSpec): Promise<number> {
  const reply = await ask(
    load,
    { cmd: "connect", hello: false, ...spec },
    (r: unknown): r is { event: string; ms?: number; error?: string } =>
      isEvent("connected")(r) || isEvent("error")(r),
    300_000,
  );
  if (reply.error) throw new Error(`load generator: ${reply.error}`);
  return reply.ms ?? 0;
}

export interface LoadStats {
  readonly total: number;
  readonly minPerClient: number;
  readonly maxPerClient: number;
  /** Every delivery; events to rooms and users; broadcasts. */
  readonly latency: LatencySummary;
  readonly roomLatency: LatencySummary;
  readonly broadcastLatency: LatencySummary;
}

export const loadStats = (load: ChildProcess) => ask(load, { cmd: "stats" }, isEvent<LoadStats>("stats"));

/** Resets the load generator's counters; resolves when `expect` deliveries arrived or at the timeout. */
export function phase(load: ChildProcess, latency: boolean, expect: number, timeoutMs: number) {
  const done = ask(load, {}, isEvent<{ at: number }>("done"), timeoutMs).then(
    (r) => r.at,
    () => null,
  );
  load.send({ cmd: "phase", latency, expect });
  return done;
}
