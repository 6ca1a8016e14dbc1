/**
 * What the benchmark reads from the operating system: a process's CPU time (/proc/<pid>/stat), TCP
 * bytes received per process from given remote ports (`ss -tinp`, the kernel's per-connection
 * `bytes_received` counter), the load average, and the machine's facts for the report.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { Redis } from "ioredis";

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in microseconds (10 ms resolution). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1_000_000;
}

/** CPU time of several processes over a window: call the returned function at the end. */
export function cpuMeter(
  pids: readonly number[],
): () => { readonly micros: number[]; readonly wallMs: number } {
  const before = pids.map(cpuMicros);
  const started = performance.now();
  return () => ({
    micros: pids.map((pid, i) => cpuMicros(pid) - (before[i] ?? 0)),
    wallMs: performance.now() - started,
  });
}

/**
 * Bytes that processes `pids` received on their established TCP connections to any of `ports` on
 * 127.0.0.1, from the kernel's tcp_info (`ss -tinp`). Sums per pid. Counters of connections closed
 * in between are lost, so compare snapshots of long-lived connections only.
 */
export function tcpBytesReceived(pids: readonly number[], ports: readonly number[]): Map<number, number> {
  const filter = `( ${ports.map((p) => `dport = :${p}`).join(" or ")} )`;
  const out = execFileSync("ss", ["-tinpH", "state", "established", filter], { encoding: "utf8" });
  const totals = new Map<number, number>(pids.map((pid) => [pid, 0]));
  let owner: number | undefined;
  for (const text of out.split("\n")) {
    const pid = /pid=(\d+)/.exec(text);
    if (pid) {
      owner = Number(pid[1]);
      continue;
    }
    const bytes = /bytes_received:(\d+)/.exec(text);
    if (bytes && owner !== undefined && totals.has(owner)) {
      totals.set(owner, (totals.get(owner) ?? 0) + Number(bytes[1]));
    }
  }
  return totals;
}

/** used_cpu_sys + used_cpu_user of a Redis server, in microseconds (INFO cpu). */
export async function redisCpuMicros(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info("cpu");
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return (field("used_cpu_sys") + field("used_cpu_user")) * 1_000_000;
  } finally {
    redis.disconnect();
  }
}

export function loadAverage(): readonly [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = readFileSync("/proc/loadavg", "utf8").split(" ").map(Number);
  return [one, five, fifteen];
}

export interface MachineFacts {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly ramGiB: number;
  readonly node: string;
  readonly redis: string;
  readonly kernel: string;
}

export function machineFacts(): MachineFacts {
  const redis = /v=([\d.]+)/.exec(run("redis-server", ["--version"]))?.[1] ?? "unknown";
  return {
    nproc: Number(run("nproc", [])) || cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    redis,
    kernel: run("uname", ["-sr"]),
  };
}

function run(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}
