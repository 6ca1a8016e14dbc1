/**
 * Looking at a relay from outside, as an operator would: its process RSS (from /proc, Linux),
 * `/readyz`, and counters from `/metrics` (Prometheus text; test/helpers/relay-metrics.ts).
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

export { metric } from "../../helpers/relay-metrics.js";
