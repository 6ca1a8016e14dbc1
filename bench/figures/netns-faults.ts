/**
 * Figure 9 — packets silently dropped (`iptables -j DROP` inside a host's namespace: no reset, the
 * connections look alive) between a relay and Redis, and between clients and a relay, during steady
 * traffic; once with the default heartbeats and once with short ones. Measured: when the silence is
 * noticed (the relay's /readyz turns 503; its broker's health ping drops the links — the relay's
 * log; the relay drops the silent sockets — its debug log; the SDKs leave `connected`), and that once the paths return every client has every event (or was
 * told of a gap), none twice. Root and iptables only; otherwise skipped with the reason.
 */
import { ask, isEvent, sleep } from "../lib/ipc.js";
import { netnsUnavailable } from "../lib/netns.js";
import { type Deployment, deploy, RELAY_PORT } from "../lib/netns-hosts.js";
import type { FigureResult, Metric, TargetResult } from "../lib/results.js";
import { target } from "../lib/results.js";

export interface FaultPlan {
  readonly label: string;
  /** Relay environment (heartbeat settings); {} = defaults. */
  readonly env: Record<string, string>;
  /** How long each path stays silent, s. */
  readonly relayRedisSeconds: number;
  readonly clientRelaySeconds: number;
}

interface Ran {
  readonly expected: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly coveredByGaps: number;
  readonly statusChanges: { readonly relay: number; readonly changes: { status: string; at: number }[] }[];
}

interface Outcome {
  readonly plan: FaultPlan;
  readonly ran: Ran;
  /** Seconds from the start of the silence until it was noticed (null: not noticed while it lasted). */
  readonly readyzNoticed: number | null;
  readonly brokerNoticed: number | null;
  readonly relayDroppedSockets: number | null;
  readonly sdkNoticed: number | null;
}

const SHAPE = { relays: 2, perRelay: 40, roomSize: 5, globals: 2 };
const RATES = { local: 40, user: 20, global: 4, broadcast: 1 };
const LEAD_S = 4;

/** Polls `check` every 250 ms until it is true or `untilMs` (epoch ms) passes; the time it became true. */
async function firstTrue(check: () => boolean, untilMs: number): Promise<number | null> {
  while (Date.now() < untilMs) {
    if (check()) return Date.now();
    await sleep(250);
  }
  return null;
}

/** The HTTP status of a relay's /readyz, asked from the load host (0: no answer within 2 s). */
function readyz(d: Deployment, relay: string): number {
  const request = `exec 3<>/dev/tcp/${d.net.address(relay, "front")}/${RELAY_PORT}; printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3; head -c 12 <&3`;
  try {
    const out = d.net.exec("ld", "timeout", ["2", "bash", "-c", request]);
    return Number(/HTTP\/1\.\d (\d{3})/.exec(out)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function faultRun(d: Deployment, plan: FaultPlan): Promise<Outcome> {
  const [quiet, cut] = d.relays as [string, string];
  const seconds = LEAD_S + Math.max(plan.relayRedisSeconds, plan.clientRelaySeconds) + 4;
  const running = ask(
    d.load,
    { cmd: "run", seconds, rates: RATES, shape: SHAPE },
    isEvent<Ran>("ran"),
    300_000,
  );
  await sleep(LEAD_S * 1000);
  const silentAt = Date.now();
  for (const redis of ["r1", "r2", "r3"]) d.net.drop(quiet, redis, true);
  d.net.drop(cut, "ld", true);
  const brokerEnd = silentAt + plan.relayRedisSeconds * 1000;
  const clientEnd = silentAt + plan.clientRelaySeconds * 1000;
  const redisSilence = async () => {
    const at = await firstTrue(() => readyz(d, quiet) === 503, brokerEnd);
    await sleep(Math.max(0, brokerEnd - Date.now()));
    for (const redis of ["r1", "r2", "r3"]) d.net.drop(quiet, redis, false);
    return at;
  };
  const clientSilence = async () => {
    await sleep(Math.max(0, clientEnd - Date.now()));
    d.net.drop(cut, "ld", false);
  };
  const [readyzAt] = await Promise.all([redisSilence(), clientSilence()]);
  const ran = await running;
  const after = (host: string, match: (entry: Record<string, unknown>) => boolean) =>
    d
      .relayLog(host)
      .filter((e) => e.time >= silentAt && match(e))
      .map((e) => e.time);
  const brokerAt = after(quiet, (e) => e.msg === "broker status" && e.status === "reconnecting")[0];
  const dropped = after(cut, (e) => e.msg === "socket disconnected" && e.reason === "ping timeout");
  const sdkTimes = ran.statusChanges
    .filter((c) => c.relay === 1)
    .map((c) => c.changes.find((change) => change.status !== "connected" && change.at >= silentAt)?.at)
    .filter((at): at is number => at !== undefined);
  const since = (at: number | null | undefined) => (at == null ? null : (at - silentAt) / 1000);
  return {
    plan,
    ran,
    readyzNoticed: since(readyzAt),
    brokerNoticed: since(brokerAt),
    relayDroppedSockets: dropped.length > 0 ? since(Math.max(...dropped)) : null,
    sdkNoticed: sdkTimes.length > 0 ? since(Math.max(...sdkTimes)) : null,
  };
}

export async function netnsFaultsFigure(
  plans: readonly FaultPlan[],
  log: (text: string) => void,
): Promise<FigureResult> {
  const started = performance.now();
  const skip = netnsUnavailable({ iptables: true });
  if (skip) {
    log(`figure 9 skipped: ${skip}`);
    return figure([], [], [`Skipped on this run: ${skip}.`], started);
  }
  const outcomes: Outcome[] = [];
  const first = plans[0];
  if (!first) return figure([], [], [], started);
  const d = await deploy(SHAPE.relays, first.env);
  try {
    const urls = d.relays.map((host) => d.relayUrl(host));
    await ask(
      d.load,
      { cmd: "connect", ...SHAPE, relays: urls, globalRooms: SHAPE.globals },
      isEvent("connected"),
      120_000,
    );
    for (const [i, plan] of plans.entries()) {
      if (i > 0) await d.restartRelays(plan.env);
      const outcome = await faultRun(d, plan);
      log(
        `netns faults ${plan.label}: ${JSON.stringify({ ...outcome, ran: { ...outcome.ran, statusChanges: undefined } })}`,
      );
      outcomes.push(outcome);
    }
  } finally {
    await ask(d.load, { cmd: "close" }, isEvent("closed"), 30_000).catch(() => {});
    await d.stop();
  }
  return report(outcomes, started);
}

function report(outcomes: readonly Outcome[], started: number): FigureResult {
  const values = (f: (o: Outcome) => number | null) =>
    Object.fromEntries(outcomes.map((o) => [o.plan.label, f(o)]));
  const metrics: Metric[] = [
    { name: "relay ↔ Redis silent for", unit: "s", values: values((o) => o.plan.relayRedisSeconds) },
    {
      name: "… /readyz answered 503 (its own ping timed out) after",
      unit: "s",
      values: values((o) => o.readyzNoticed),
    },
    {
      name: "… the relay's broker noticed (status reconnecting) after",
      unit: "s",
      values: values((o) => o.brokerNoticed),
    },
    { name: "clients ↔ relay silent for", unit: "s", values: values((o) => o.plan.clientRelaySeconds) },
    {
      name: "… the relay dropped the last silent socket (ping timeout) after",
      unit: "s",
      values: values((o) => o.relayDroppedSockets),
    },
    { name: "… the last SDK left `connected` after", unit: "s", values: values((o) => o.sdkNoticed) },
    { name: "deliveries expected", unit: "deliveries", values: values((o) => o.ran.expected) },
    {
      name: "lost (neither delivered nor covered by a gap)",
      unit: "deliveries",
      values: values((o) => o.ran.lost),
    },
    { name: "covered by a reported gap", unit: "deliveries", values: values((o) => o.ran.coveredByGaps) },
    { name: "duplicated", unit: "deliveries", values: values((o) => o.ran.duplicated) },
  ];
  const targets: TargetResult[] = outcomes.flatMap((o) => [
    target(
      `${o.plan.label}: nothing lost silently or duplicated`,
      o.ran.lost + o.ran.duplicated,
      "deliveries",
      { atMost: 0 },
    ),
  ]);
  return figure(
    metrics,
    targets,
    [
      "Settings: defaults = Redis health PING every 5 s (a link silent for a whole interval is dropped), socket.io ping every 25 s with a 20 s timeout; short = REDIS_HEALTH_CHECK=1s, RELAY_HEARTBEAT_INTERVAL=2s, RELAY_HEARTBEAT_TIMEOUT=2s.",
      "Without the health pings a silent subscriber connection is noticed only by TCP keepalive (ioredis: 30 s idle, then 9 probes × 75 s ≈ 12 min).",
    ],
    started,
    outcomes.map((o) => o.plan.label),
  );
}

function figure(
  metrics: Metric[],
  targets: TargetResult[],
  notes: string[],
  started: number,
  systems: string[] = [],
): FigureResult {
  return {
    id: 9,
    title: "Silent packet drops across hosts (iptables DROP in network namespaces)",
    setup:
      `Redis Cluster (3 masters), ${SHAPE.relays} relays and a load host in namespaces (figure 8's network, unshaped); ${SHAPE.perRelay} SDK clients per relay; ` +
      `${JSON.stringify(RATES)} events/s. After ${LEAD_S} s, relay 1 drops every packet to and from Redis and relay 2 every packet to and from the clients, each for the time given; then traffic continues ≥ 4 s and the clients get ≤ 30 s to settle.`,
    systems,
    metrics,
    targets,
    notes,
    durationSeconds: (performance.now() - started) / 1000,
  };
}
