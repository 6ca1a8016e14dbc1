/**
 * Figure 4 — scale-out on a 3-node Redis Cluster. N relays (N = 1, 2, 3); ROOMS rooms whose
 * members all sit on one relay (room r on relay r mod N). Two measurements per system and N:
 *   - Redis → relay bytes: the relays' TCP connections to the cluster's nodes, kernel counter
 *     `bytes_received` (ss -tinp) before and after MESSAGES events published round-robin over the
 *     rooms — everything Redis sent the relays, replies included;
 *   - throughput: BURST events published at once over the rooms; deliveries/s until the last
 *     arrived, and the relays' CPU µs per delivery summed over all relays.
 * Systems: ours (relay on the cluster broker: SSUBSCRIBE per room channel), the baseline's classic
 * adapter (PSUBSCRIBE; PUBLISH reaches every node and every relay) and its sharded adapter
 * (createShardedAdapter, dynamic mode: SSUBSCRIBE per room).
 */
import type { ChildProcess } from "node:child_process";
import { startRedisCluster } from "../../test/harness/redis-cluster.js";
import {
  connectClients,
  type Driver,
  driverFor,
  loadKind,
  loadStats,
  phase,
  type ServerMode,
  type StartedServer,
  startLoad,
  startServer,
  stopServer,
} from "../lib/drivers.js";
import { now, type Target } from "../lib/feeders.js";
import { sleep, stopAll } from "../lib/ipc.js";
import { cpuMeter, tcpBytesReceived } from "../lib/os-stats.js";
import { type FigureResult, type Metric, type TargetResult, target } from "../lib/results.js";

export interface ScaleOutPlan {
  readonly relays: readonly number[];
  readonly rooms: number;
  readonly clientsPerRoom: number;
  readonly messages: number;
  readonly rate: number;
  readonly burst: number;
}

const SYSTEMS: readonly ServerMode[] = ["ours-cluster", "baseline-cluster", "baseline-sharded"];

interface Run {
  readonly bytesPerMessage: number;
  readonly maxRelayShare: number;
  readonly deliveriesPerSec: number;
  readonly cpuUs: number;
  readonly lost: number;
}

async function scaleRun(mode: ServerMode, n: number, nodes: Backend, p: ScaleOutPlan): Promise<Run> {
  const servers: StartedServer[] = [];
  let load: ChildProcess | undefined;
  let driver: Driver | undefined;
  try {
    servers.push(...(await Promise.all(Array.from({ length: n }, () => startServer(mode, nodes)))));
    load = await startLoad(loadKind(mode));
    const ports = servers.map((s) => s.port);
    await connectClients(load, {
      ports,
      count: p.rooms * p.clientsPerRoom,
      first: 0,
      rooms: p.rooms,
      roomPrefix: "s:",
    });
    driver = await driverFor(mode, nodes, servers[0] as StartedServer);
    const room = (seq: number): Target => ({ kind: "room", room: `s:${seq % p.rooms}` });
    await sleep(500); // subscriptions settle (the baseline's are not acknowledged)
    const pids = servers.map((s) => s.pid);
    const redisPorts = (nodes.nodes ?? []).map((x) => x.port);
    const before = tcpBytesReceived(pids, redisPorts);
    const bytesDone = phase(load, false, p.messages * p.clientsPerRoom, 60_000);
    await driver.paced(p.messages, p.rate, room);
    await bytesDone;
    await sleep(200);
    const after = tcpBytesReceived(pids, redisPorts);
    const perRelay = pids.map((pid) => (after.get(pid) ?? 0) - (before.get(pid) ?? 0));
    const bytes = perRelay.reduce((a, b) => a + b, 0);
    const expect = p.burst * p.clientsPerRoom;
    const done = phase(load, false, expect, 120_000);
    await sleep(50);
    const meter = cpuMeter(pids);
    const started = now();
    await driver.burst(p.burst, room);
    const at = await done;
    const cpu = meter();
    const stats = await loadStats(load);
    return {
      bytesPerMessage: bytes / p.messages,
      maxRelayShare: Math.max(...perRelay) / Math.max(1, bytes),
      deliveriesPerSec: stats.total / (((at ?? now()) - started) / 1000),
      cpuUs: cpu.micros.reduce((a, b) => a + b, 0) / Math.max(1, stats.total),
      lost: Math.max(0, expect - stats.total),
    };
  } finally {
    await driver?.close();
    await Promise.all([stopAll([load]), ...servers.map(stopServer)]);
  }
}

type Backend = Parameters<typeof startServer>[1];

export async function scaleOutFigure(
  o: ScaleOutPlan & { readonly log: (text: string) => void },
): Promise<FigureResult> {
  const started = performance.now();
  const cluster = await startRedisCluster();
  const results = new Map<string, Run>();
  try {
    const backend = { nodes: cluster.masters.map((m) => ({ host: m.host, port: m.port })) };
    for (const n of o.relays) {
      for (const mode of SYSTEMS) {
        const run = await scaleRun(mode, n, backend, o);
        results.set(`${mode}@${n}`, run);
        o.log(`scale-out ${mode} × ${n}: ${JSON.stringify(run)}`);
      }
    }
  } finally {
    await cluster.stop();
  }
  const value = (mode: ServerMode, n: number, key: keyof Run) =>
    results.get(`${mode}@${n}`)?.[key] ?? Number.NaN;
  const metrics: Metric[] = [];
  const targets: TargetResult[] = [];
  for (const n of o.relays) {
    const row = (name: string, unit: string, key: keyof Run, scale = 1): Metric => ({
      name: `${name}, ${n} relay${n > 1 ? "s" : ""}`,
      unit,
      values: Object.fromEntries(SYSTEMS.map((s) => [s, value(s, n, key) * scale])),
    });
    metrics.push(
      row("Redis → relays bytes per published event", "bytes", "bytesPerMessage"),
      row("largest relay's share of those bytes", "%", "maxRelayShare", 100),
      row("deliveries/s (burst)", "deliveries/s", "deliveriesPerSec"),
      row("relays' CPU per delivery (sum)", "µs", "cpuUs"),
      row("lost in the burst", "deliveries", "lost"),
    );
    if (n > 1) {
      const ratio =
        value("ours-cluster", n, "bytesPerMessage") / value("baseline-cluster", n, "bytesPerMessage");
      targets.push(
        target(`${n} relays: Redis → relay bytes vs baseline`, ratio, "ours ÷ baseline (classic)", {
          atMost: 1 / n,
        }),
      );
    }
  }
  return {
    id: 4,
    title: "Scale-out on a 3-node Redis Cluster",
    setup:
      `${o.rooms} rooms × ${o.clientsPerRoom} clients, each room's members on one relay (room r on relay r mod N); ` +
      `bytes: ${o.messages} events at ${o.rate}/s round-robin over the rooms, Redis → relay bytes from the relays' ` +
      `TCP connections to the cluster nodes (kernel tcp_info bytes_received via \`ss -tinp\`); throughput: ` +
      `${o.burst} events at once. One round.`,
    systems: SYSTEMS,
    metrics,
    targets,
    notes: [
      "All relays, the 3 Redis nodes, the publisher and the load generator share the machine's cores, so deliveries/s cannot grow with N here; relays' CPU per delivery shows the cost of adding relays.",
    ],
    durationSeconds: (performance.now() - started) / 1000,
  };
}
