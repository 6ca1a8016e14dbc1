/**
 * Figures 1 (fan-out) and 2 (memory per idle connection), from the same runs (fanout-run.ts):
 * every system in every round, the order alternating between rounds; per-metric medians.
 */
import type { ServerMode } from "../lib/drivers.js";
import { type FigureResult, type Metric, type TargetResult, target } from "../lib/results.js";
import { medianOf } from "../lib/stats.js";
import { type FanoutPlan, fanoutRun, type RunRecord } from "./fanout-run.js";

export interface FanoutOptions extends FanoutPlan {
  readonly systems: readonly ServerMode[];
  readonly rounds: number;
  readonly redisUrl: string;
  readonly log: (text: string) => void;
}

export async function fanoutFigures(o: FanoutOptions): Promise<[FigureResult, FigureResult]> {
  const started = performance.now();
  const runs = new Map<ServerMode, RunRecord[]>(o.systems.map((s) => [s, []]));
  for (let r = 0; r < o.rounds; r++) {
    const order = r % 2 === 0 ? o.systems : [...o.systems].reverse();
    for (const mode of order) {
      const record = await fanoutRun(mode, o.redisUrl, o);
      runs.get(mode)?.push(record);
      o.log(`fan-out round ${r + 1}/${o.rounds} ${mode}: ${summaryLine(record, o)}`);
    }
  }
  const med = new Map(o.systems.map((s) => [s, medianOf(runs.get(s) ?? [])]));
  const seconds = (performance.now() - started) / 1000;
  return [figure1(o, med, runs, seconds), figure2(o, med, seconds)];
}

function summaryLine(r: RunRecord, o: FanoutPlan): string {
  return o.sizes
    .map((n) => {
      const dps = Math.round(r[`deliveriesPerSec@${n}`] ?? 0);
      return `${n}: ${dps}/s ${r[`cpuUsPerDelivery@${n}`]?.toFixed(2)} µs p99 ${r[`p99@${n}@${o.rates[0]}`]?.toFixed(1)} ms rss ${r[`rssKb@${n}`]?.toFixed(1)} KB`;
    })
    .join("; ");
}

type Medians = Map<ServerMode, Record<string, number>>;

function row(name: string, unit: string, key: string, med: Medians, scale = 1): Metric {
  const values: Record<string, number | null> = {};
  for (const [mode, m] of med) values[mode] = m[key] === undefined ? null : (m[key] ?? 0) * scale;
  return { name, unit, values };
}

const get = (med: Medians, mode: ServerMode, key: string) => med.get(mode)?.[key] ?? Number.NaN;

function figure1(o: FanoutOptions, med: Medians, runs: Map<ServerMode, RunRecord[]>, seconds: number) {
  const metrics: Metric[] = [];
  const targets: TargetResult[] = [];
  const notes: string[] = [];
  for (const n of o.sizes) {
    metrics.push(
      row(
        `max deliveries/s (burst, all delivered), ${n} clients`,
        "deliveries/s",
        `deliveriesPerSec@${n}`,
        med,
      ),
      row(`server CPU per delivery, ${n} clients`, "µs", `cpuUsPerDelivery@${n}`, med),
      row(`server CPU busy during the burst, ${n} clients`, "% of a core", `serverBusy@${n}`, med, 100),
      row(`load-generator CPU during the burst, ${n} clients`, "% of a core", `loadBusy@${n}`, med, 100),
      row(`lost in the burst, ${n} clients`, "deliveries", `burstLost@${n}`, med),
    );
    for (const rate of o.rates) {
      for (const p of ["p50", "p95", "p99"]) {
        metrics.push(row(`${p} publish→deliver at ${rate}/s, ${n} clients`, "ms", `${p}@${n}@${rate}`, med));
      }
      metrics.push(row(`lost at ${rate}/s, ${n} clients`, "deliveries", `lost@${n}@${rate}`, med));
    }
    targets.push(...fanoutTargets(o, med, n));
    for (const mode of o.systems) {
      const busy = Math.max(...(runs.get(mode) ?? []).map((r) => r[`loadBusy@${n}`] ?? 0));
      if (busy >= 0.9) {
        notes.push(
          `${mode}, ${n} clients: the load generator was the bottleneck of the burst (${Math.round(busy * 100)}% of a core at its busiest round); its max rate is a lower bound — compare CPU µs/delivery.`,
        );
      }
    }
  }
  const lost = o.systems.flatMap((mode) =>
    (runs.get(mode) ?? []).flatMap((r) =>
      Object.entries(r)
        .filter(([k, v]) => /^(lost|burstLost)@/.test(k) && v > 0)
        .map(([k, v]) => `${mode} ${k}=${v}`),
    ),
  );
  if (lost.length > 0) notes.push(`Deliveries missing at a phase's deadline: ${lost.join(", ")}.`);
  return {
    id: 1,
    title: "Fan-out: one room",
    setup:
      `${o.sizes.join(" and ")} clients in one room; latency at ${o.rates.join(" and ")} deliveries/s offered for ` +
      `${o.latencySeconds} s each; max rate = ${o.burstDeliveries.toLocaleString("en-US")} deliveries published at once ` +
      `(all must arrive); CPU from /proc/<pid>/stat over that window. Median of ${o.rounds} round(s).`,
    systems: o.systems,
    metrics,
    targets,
    notes,
    durationSeconds: seconds,
  } satisfies FigureResult;
}

function fanoutTargets(o: FanoutOptions, med: Medians, n: number): TargetResult[] {
  const out: TargetResult[] = [];
  const ours = "ours-redis";
  const has = (mode: ServerMode) => o.systems.includes(mode);
  if (!has(ours)) return out;
  const cpu = (m: ServerMode) => get(med, m, `cpuUsPerDelivery@${n}`);
  const dps = (m: ServerMode) => get(med, m, `deliveriesPerSec@${n}`);
  for (const [other, bound] of [
    ["baseline", 1.2],
    ["reference", 0.5],
  ] as const) {
    if (!has(other)) continue;
    out.push(
      target(`${n} clients: CPU/delivery vs ${other}`, cpu(other) / cpu(ours), `${other} µs ÷ ours µs`, {
        atLeast: bound,
      }),
      target(`${n} clients: max rate vs ${other}`, dps(ours) / dps(other), `ours ÷ ${other} deliveries/s`, {
        atLeast: bound,
      }),
    );
  }
  if (has("baseline")) {
    for (const rate of o.rates) {
      const key = `p99@${n}@${rate}`;
      out.push(
        target(
          `${n} clients: p99 at ${rate}/s vs baseline`,
          get(med, ours, key) / get(med, "baseline", key),
          "ours ÷ baseline",
          {
            atMost: 1,
          },
        ),
      );
    }
  }
  const lost = o.rates.reduce(
    (sum, rate) => sum + get(med, ours, `lost@${n}@${rate}`),
    get(med, ours, `burstLost@${n}`),
  );
  out.push(target(`${n} clients: ours loses nothing`, lost, "deliveries lost (median round)", { atMost: 0 }));
  return out;
}

function figure2(o: FanoutOptions, med: Medians, seconds: number): FigureResult {
  const metrics: Metric[] = [];
  const targets: TargetResult[] = [];
  for (const n of o.sizes) {
    metrics.push(
      row(`RSS per idle connection, ${n} clients`, "KiB", `rssKb@${n}`, med),
      row(`JS heap per idle connection, ${n} clients`, "KiB", `heapKb@${n}`, med),
      row(`time to connect and join ${n} clients`, "ms", `connectMs@${n}`, med),
    );
    if (o.systems.includes("ours-redis") && o.systems.includes("baseline")) {
      const ratio = get(med, "ours-redis", `rssKb@${n}`) / get(med, "baseline", `rssKb@${n}`);
      targets.push(
        target(`${n} clients: RSS per connection vs baseline`, ratio, "ours ÷ baseline", { atMost: 1.2 }),
      );
    }
  }
  return {
    id: 2,
    title: "Memory per idle connection",
    setup:
      `(server RSS with N clients connected and joined − RSS before) ÷ N, both after a full GC, "before" taken after ` +
      `${o.warmClients} clients came and went (one-time costs excluded). Same runs as figure 1; median of ${o.rounds}.`,
    systems: o.systems,
    metrics,
    targets,
    notes: [
      "RSS moves in pages and allocator arenas; the JS heap row is steadier and given for information.",
    ],
    durationSeconds: seconds,
  };
}
