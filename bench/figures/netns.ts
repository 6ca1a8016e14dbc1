/**
 * Figure 8 — the capacity model checked across hosts. Relays, Redis nodes and clients run as
 * separate hosts in network namespaces (bench/lib/netns.ts), on links shaped with tc, and every
 * relay's Redis → relay bytes and CPU are compared with the model's prediction
 * (bench/lib/capacity-model.ts, docs/operations.md "Capacity"):
 *   - idle window → each relay's idle CPU;
 *   - calibration: small rooms only, then broadcasts only → µs per message and per delivery (fit);
 *   - check: a different mix (rooms, users, rooms spanning every relay, broadcasts) → predicted
 *     vs measured per relay: TCP payload bytes from Redis (tcp_info), wire bytes on the relay's
 *     back link (interface counters), CPU (/proc/<pid>/stat).
 * Root only (namespaces, tc); otherwise it is skipped with the reason. Silent drops: netns-faults.ts.
 */
import {
  type Counts,
  type CpuModel,
  type CpuSample,
  fitCpu,
  perRelay,
  predictCpu,
  redisBytes,
  type Sizes,
  total,
  type Workload,
} from "../lib/capacity-model.js";
import { ask, isEvent, sleep } from "../lib/ipc.js";
import { netnsUnavailable } from "../lib/netns.js";
import { type Deployment, deploy, redisBytesReceived } from "../lib/netns-hosts.js";
import { cpuMicros } from "../lib/os-stats.js";
import { type FigureResult, type Metric, type TargetResult, target } from "../lib/results.js";

export interface NetnsPlan {
  readonly relays: number;
  readonly perRelay: number;
  readonly roomSize: number;
  readonly globals: number;
  readonly seconds: number;
  /** Mbit/s: Redis hosts' egress (tbf), relays' back and front egress (htb), and into each relay from the back switch (htb). */
  readonly links: {
    readonly redis: number;
    readonly relayBack: number;
    readonly relayFront: number;
    readonly intoRelay: number;
  };
}

interface Ran {
  readonly counts: Counts;
  readonly messageBytes: Sizes;
  readonly publishSeconds: number;
  readonly expected: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly coveredByGaps: number;
  readonly p50: number;
  readonly p99: number;
}

interface Window {
  readonly ran: Ran;
  readonly seconds: number;
  readonly relays: { readonly cpuUs: number; readonly payload: number; readonly wire: number }[];
}

const PHASES = {
  calibrateRooms: { local: 600, user: 0, global: 0, broadcast: 0 },
  calibrateBroadcast: { local: 0, user: 0, global: 0, broadcast: 12 },
  check: { local: 300, user: 150, global: 20, broadcast: 4 },
} as const;

/** Runs one traffic phase and measures every relay over it. */
async function measure(d: Deployment, plan: NetnsPlan, rates: Counts): Promise<Window> {
  const snap = () =>
    d.relays.map((host) => ({
      cpuUs: cpuMicros(d.relayPids.get(host) ?? 0),
      payload: redisBytesReceived(d.net, host),
      wire: d.net.counters(host, "back").rx,
    }));
  const before = snap();
  const started = performance.now();
  const shape = {
    relays: plan.relays,
    perRelay: plan.perRelay,
    roomSize: plan.roomSize,
    globals: plan.globals,
  };
  const ran = await ask(
    d.load,
    { cmd: "run", seconds: plan.seconds, rates, shape },
    isEvent<Ran>("ran"),
    120_000,
  );
  const after = snap();
  const seconds = (performance.now() - started) / 1000;
  const relays = after.map((a, i) => ({
    cpuUs: a.cpuUs - (before[i]?.cpuUs ?? 0),
    payload: a.payload - (before[i]?.payload ?? 0),
    wire: a.wire - (before[i]?.wire ?? 0),
  }));
  return { ran, seconds, relays };
}

function idleCpu(d: Deployment, seconds: number): Promise<number[]> {
  const pids = d.relays.map((host) => d.relayPids.get(host) ?? 0);
  const before = pids.map(cpuMicros);
  return sleep(seconds * 1000).then(() =>
    pids.map((pid, i) => (cpuMicros(pid) - (before[i] ?? 0)) / seconds),
  );
}

function samples(w: Workload, windows: readonly Window[], relay: number): CpuSample[] {
  return windows.map((win) => {
    const load = perRelay(w, win.ran.counts);
    return {
      seconds: win.seconds,
      messages: total(load.messages),
      deliveries: load.deliveries,
      cpuUs: win.relays[relay]?.cpuUs ?? 0,
    };
  });
}

function shapeLinks(d: Deployment, links: NetnsPlan["links"]): void {
  for (const host of ["r1", "r2", "r3"]) d.net.shape(host, "back", "tbf", links.redis);
  for (const host of d.relays) {
    d.net.shape(host, "back", "htb", links.relayBack);
    d.net.shape(host, "front", "htb", links.relayFront);
    d.net.shapeInbound(host, "back", links.intoRelay);
  }
}

export async function netnsFigure(
  plan: NetnsPlan & { readonly log: (text: string) => void },
): Promise<FigureResult> {
  const started = performance.now();
  const skip = netnsUnavailable({ iptables: false });
  if (skip) {
    plan.log(`figure 8 skipped: ${skip}`);
    return result(plan, [], [], [`Skipped on this run: ${skip}.`], started);
  }
  const d = await deploy(plan.relays, {});
  try {
    shapeLinks(d, plan.links);
    const w: Workload = plan;
    const urls = d.relays.map((host) => d.relayUrl(host));
    await ask(
      d.load,
      {
        cmd: "connect",
        relays: urls,
        perRelay: plan.perRelay,
        roomSize: plan.roomSize,
        globalRooms: plan.globals,
      },
      isEvent("connected"),
      120_000,
    );
    const idle = await idleCpu(d, 3);
    const rooms = await measure(d, plan, PHASES.calibrateRooms);
    const broadcast = await measure(d, plan, PHASES.calibrateBroadcast);
    const check = await measure(d, plan, PHASES.check);
    const { statusChanges: _changes, ...ran } = check.ran as Ran & { statusChanges?: unknown };
    plan.log(`netns: idle µs/s ${JSON.stringify(idle)}; check ${JSON.stringify({ ...check, ran })}`);
    const models = d.relays.map((_, r) => fitCpu(samples(w, [rooms, broadcast], r), idle[r] ?? 0));
    return report(plan, w, check, models, started);
  } finally {
    await ask(d.load, { cmd: "close" }, isEvent("closed"), 30_000).catch(() => {});
    await d.stop();
  }
}

function report(
  plan: NetnsPlan,
  w: Workload,
  check: Window,
  models: readonly CpuModel[],
  started: number,
): FigureResult {
  const load = perRelay(w, check.ran.counts);
  const predictedBytes = redisBytes(load.messages, check.ran.messageBytes);
  const per = (f: (i: number) => number) =>
    Object.fromEntries(check.relays.map((_, i) => [`relay ${i + 1}`, f(i)]));
  const cpuPredicted = (i: number) =>
    predictCpu(models[i] as CpuModel, check.seconds, total(load.messages), load.deliveries);
  const rate = (v: number) => v / check.seconds;
  const metrics: Metric[] = [
    {
      name: "Redis → relay TCP payload, measured",
      unit: "bytes/s",
      values: per((i) => rate(check.relays[i]?.payload ?? 0)),
    },
    {
      name: "Redis → relay TCP payload, predicted",
      unit: "bytes/s",
      values: per(() => rate(predictedBytes)),
    },
    {
      name: "relay's back link, received (wire, headers included)",
      unit: "bytes/s",
      values: per((i) => rate(check.relays[i]?.wire ?? 0)),
    },
    {
      name: "relay CPU, measured",
      unit: "% of a core",
      values: per((i) => (rate(check.relays[i]?.cpuUs ?? 0) / 1e6) * 100),
    },
    {
      name: "relay CPU, predicted",
      unit: "% of a core",
      values: per((i) => (rate(cpuPredicted(i)) / 1e6) * 100),
    },
    { name: "fitted µs per message", unit: "µs", values: per((i) => models[i]?.usPerMessage ?? Number.NaN) },
    {
      name: "fitted µs per delivery",
      unit: "µs",
      values: per((i) => models[i]?.usPerDelivery ?? Number.NaN),
    },
    {
      name: "idle CPU",
      unit: "% of a core",
      values: per((i) => ((models[i]?.idleUsPerSecond ?? 0) / 1e6) * 100),
    },
  ];
  const targets: TargetResult[] = [];
  check.relays.forEach((relay, i) => {
    const bytes = relay.payload / predictedBytes;
    targets.push(
      target(`relay ${i + 1}: Redis bytes, measured ÷ predicted`, bytes, "≥ 0.9", { atLeast: 0.9 }),
    );
    targets.push(
      target(`relay ${i + 1}: Redis bytes, measured ÷ predicted`, bytes, "≤ 1.1", { atMost: 1.1 }),
    );
    const cpu = relay.cpuUs / cpuPredicted(i);
    targets.push(
      target(`relay ${i + 1}: CPU, measured ÷ predicted`, cpu, "within 0.67–1.5", { atMost: 1.5 }),
    );
    targets.push(
      target(`relay ${i + 1}: CPU, measured ÷ predicted`, cpu, "within 0.67–1.5", { atLeast: 0.67 }),
    );
  });
  targets.push(
    target("nothing lost or duplicated", check.ran.lost + check.ran.duplicated, "deliveries", { atMost: 0 }),
  );
  const notes = [
    `Per relay in the check phase: ${rate(total(load.messages)).toFixed(0)} messages/s from Redis, ${rate(load.deliveries).toFixed(0)} deliveries/s; ${check.ran.expected} deliveries expected in all, ${check.ran.lost} lost, ${check.ran.duplicated} duplicated.`,
    `Check phase: ${JSON.stringify(check.ran.counts)} events in ${check.ran.publishSeconds.toFixed(1)} s; p50/p99 publish→deliver ${check.ran.p50.toFixed(1)}/${check.ran.p99.toFixed(1)} ms across hosts.`,
    `Stored message sizes (bytes) and channel name lengths: ${JSON.stringify(check.ran.messageBytes)}.`,
    "Wire bytes include Ethernet/IP/TCP headers (≈ 66 bytes per packet) and the ACKs of what the relay sends Redis.",
  ];
  return result(plan, metrics, targets, notes, started);
}

function result(
  plan: NetnsPlan,
  metrics: Metric[],
  targets: TargetResult[],
  notes: string[],
  started: number,
): FigureResult {
  const l = plan.links;
  return {
    id: 8,
    title: "Capacity model across hosts (network namespaces, links shaped with tc)",
    setup:
      `3 Redis masters, ${plan.relays} relays (the CLI) and a load host, each in its own namespace on a back network ` +
      `(Redis ↔ relays ↔ backend) and a front network (clients ↔ relays); Redis egress tbf ${l.redis} Mbit/s, relays' egress ` +
      `htb ${l.relayBack} (back) / ${l.relayFront} (front) Mbit/s, into each relay from Redis htb ${l.intoRelay} Mbit/s. ` +
      `${plan.perRelay} SDK clients per relay, rooms of ${plan.roomSize} on one relay, ${plan.globals} rooms with a member on every relay. ` +
      `CPU model fitted on two calibration phases (${JSON.stringify(PHASES.calibrateRooms)}, ${JSON.stringify(PHASES.calibrateBroadcast)} events/s), ` +
      `then checked on ${JSON.stringify(PHASES.check)} events/s, ${plan.seconds} s per phase.`,
    systems: metrics.length > 0 ? Object.keys(metrics[0]?.values ?? {}) : [],
    metrics,
    targets,
    notes,
    durationSeconds: (performance.now() - started) / 1000,
  };
}
