/**
 * Looking at a relay from outside, as an operator would: its process RSS (from /proc, Linux),
 * `/readyz`, and counters from `/metrics` (Prometheus text).
 */
import { readFileSync } from "node:fs";

/** Resident set size of a process in MB, or null when it is gone. */
export function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` and keeps the peak. */
export function rssPeak(pid: number | undefined, intervalMs = 100) {
  let peak = rssMb(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid) ?? 0);
  }, intervalMs);
  return {
    get peak() {
      return Math.max(peak, rssMb(pid) ?? 0);
    },
    stop() {
      clearInterval(timer);
      return this.peak;
    },
  };
}

export async function readyz(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Sum of a metric's samples in the relay's /metrics whose labels contain `labels` (e.g. `reason="SLOW_CONSUMER"`). */
export async function metric(url: string, name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    if (labels && !(match[2] ?? "").includes(labels)) continue;
    sum += Number(match[3]);
  }
  return sum;
}
