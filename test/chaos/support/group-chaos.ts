/**
 * The consumer-group chaos scenario, on one Redis or a Redis Cluster (groups-redis.test.ts,
 * groups-cluster.test.ts): three worker processes in one group, with
 *   A. 10,000 events and no fault: each handled exactly once;
 *   B. 10,000 events, one worker SIGKILLed a third of the way: nothing lost, and every duplicate is
 *      an event the killed worker had in flight, handled again with attempt ≥ 2;
 *   C. every worker down, 2,000 events published, 30 s later one worker restarted: it handles
 *      all of them.
 * Each phase records a row of figures (docs/reliability.md).
 */
import { Cluster, Redis } from "ioredis";
import { expect } from "vitest";
import { eventStreamKeys } from "../../../protocol/channels.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import { eventually } from "../../helpers/wait.js";
import { silentLogger } from "../../integration/backend/silent-logger.js";
import type { WorkerConfig } from "./group-worker-child.js";
import { GroupLedger, startWorker, type WorkerProcess } from "./group-workers.js";
import { recordRow } from "./report.js";

export interface GroupTarget {
  readonly label: string;
  /** A Redis for the workers' ledger (not the one under test). */
  readonly ledger: string;
  readonly redis?: string;
  readonly cluster?: readonly { readonly host: string; readonly port: number }[];
}

const TYPE = "chaos.job";
const PHASE = 10_000;
const DOWNTIME = 2_000;
const DOWN_MS = 30_000;

export async function runGroupChaos(target: GroupTarget): Promise<void> {
  const config: Omit<WorkerConfig, "name"> = {
    ledger: target.ledger,
    ...(target.redis ? { redis: target.redis } : { cluster: target.cluster ?? [] }),
    type: TYPE,
    group: "chaos-workers",
    concurrency: 4,
    claimIdleMs: 1000,
    handleMs: 1,
  };
  const ledger = new GroupLedger(target.ledger);
  const publisher = new EventBusClient({
    serviceName: "chaos-publisher",
    ...(target.redis ? { redis: target.redis } : { cluster: target.cluster ?? [] }),
    logger: silentLogger,
    batching: { batchSize: 100, batchInterval: 0 },
  });
  const workers: WorkerProcess[] = [];
  try {
    for (const name of ["w1", "w2", "w3"]) workers.push(await startWorker({ ...config, name }));
    await phaseA(target, publisher, ledger);
    const killed = await phaseB(target, publisher, ledger, workers);
    await phaseC(target, publisher, ledger, workers, killed, config);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await publisher.disconnect();
    ledger.close();
  }
}

async function publishRange(publisher: EventBusClient, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 500) {
    const batch: Promise<unknown>[] = [];
    for (let seq = start; seq < Math.min(to, start + 500); seq++)
      batch.push(publisher.publish(TYPE, { seq }));
    await Promise.all(batch);
  }
}

async function phaseA(target: GroupTarget, publisher: EventBusClient, ledger: GroupLedger) {
  const started = performance.now();
  await publishRange(publisher, 0, PHASE);
  await ledger.waitFor(0, PHASE, PHASE, 90_000);
  await settled(target);
  await ledger.sync();
  const seconds = (performance.now() - started) / 1000;
  const { lost, duplicated, redelivered } = ledger.summary(0, PHASE);
  recordRow({
    scenario: `consumer group, ${target.label}: 3 worker processes, no fault`,
    runs: 1,
    events: PHASE,
    lost,
    duplicated,
    gaps: 0,
    maxMemoryMb: null,
    result: lost === 0 && duplicated === 0 ? "pass" : "fail",
    notes: `each event handled exactly once; ${Math.round(PHASE / seconds)} events/s end to end (1 ms handlers, concurrency 4 per worker); redelivered ${redelivered}`,
  });
  expect({ lost, duplicated, redelivered }).toEqual({ lost: 0, duplicated: 0, redelivered: 0 });
}

async function phaseB(
  target: GroupTarget,
  publisher: EventBusClient,
  ledger: GroupLedger,
  workers: WorkerProcess[],
): Promise<WorkerProcess> {
  const from = PHASE;
  const to = 2 * PHASE;
  const publishing = publishRange(publisher, from, to);
  await ledger.waitFor(from, to, PHASE / 3, 60_000);
  const victim = workers[0] as WorkerProcess;
  const killedAt = performance.now();
  await victim.kill();
  const inFlight = await pendingOf(target, victim);
  await publishing;
  await ledger.waitFor(from, to, PHASE, 90_000);
  const recoveredMs = performance.now() - killedAt;
  await settled(target);
  await ledger.sync();
  const { lost, duplicated, redelivered, duplicates } = ledger.summary(from, to);
  // Every duplicate: handled by the killed worker (it had it in flight), and again with attempt ≥ 2.
  const explained = duplicates.every(
    ({ handlings }) =>
      handlings.some((h) => h.worker === victim.name) &&
      handlings.filter((h) => h.worker !== victim.name).every((h) => h.attempt >= 2),
  );
  recordRow({
    scenario: `consumer group, ${target.label}: SIGKILL one of 3 workers mid-run`,
    runs: 1,
    events: PHASE,
    lost,
    duplicated,
    gaps: 0,
    maxMemoryMb: null,
    result: lost === 0 && explained ? "pass" : "fail",
    notes: `killed worker had handled ${ledger.handledBy(victim.name)} (both phases) and held ${inFlight} unacknowledged at the kill; ${redelivered} events claimed by the others with attempt ≥ 2 (claim after 1 s idle), of which ${duplicated} had already been handled (reported, not yet acknowledged, at the kill); all handled ${(recoveredMs / 1000).toFixed(1)} s after the kill`,
  });
  expect(lost).toBe(0);
  expect(explained).toBe(true);
  expect(redelivered).toBeGreaterThan(0);
  return victim;
}

async function phaseC(
  target: GroupTarget,
  publisher: EventBusClient,
  ledger: GroupLedger,
  workers: WorkerProcess[],
  killed: WorkerProcess,
  config: Omit<WorkerConfig, "name">,
) {
  const from = 2 * PHASE;
  const to = from + DOWNTIME;
  await Promise.all(workers.filter((w) => w !== killed).map((w) => w.stop()));
  const downSince = performance.now();
  await publishRange(publisher, from, to);
  // The outage itself: every worker stays down this long (an outage length, not a synchronisation).
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, DOWN_MS - (performance.now() - downSince))));
  const before = ledger.handledBy(killed.name);
  const restarted = await startWorker({ ...config, name: killed.name });
  workers.push(restarted);
  await ledger.waitFor(from, to, DOWNTIME, 60_000);
  const byRestarted = ledger.handledBy(killed.name) - before;
  const { lost, duplicated } = ledger.summary(from, to);
  recordRow({
    scenario: `consumer group, ${target.label}: all workers down 30 s, one restarted`,
    runs: 1,
    events: DOWNTIME,
    lost,
    duplicated,
    gaps: 0,
    maxMemoryMb: null,
    result: lost === 0 && duplicated === 0 ? "pass" : "fail",
    notes: `published while no consumer ran; the restarted worker handled ${byRestarted}`,
  });
  expect({ lost, duplicated, handledByRestarted: byRestarted }).toEqual({
    lost: 0,
    duplicated: 0,
    handledByRestarted: DOWNTIME,
  });
}

type PendingSummary = [number, string | null, string | null, [string, string][] | null];

/** The group's XPENDING summary: the total, and the count per consumer. */
async function groupPending(target: GroupTarget): Promise<PendingSummary> {
  const redis = target.redis ? new Redis(target.redis) : new Cluster([...(target.cluster ?? [])]);
  try {
    return (await redis.xpending(eventStreamKeys(TYPE).stream, "chaos-workers")) as PendingSummary;
  } finally {
    redis.disconnect();
  }
}

/** Entries the group holds pending for this worker's consumer (named `<host>:<pid>:<random>`). */
async function pendingOf(target: GroupTarget, worker: WorkerProcess): Promise<number> {
  const reply = await groupPending(target);
  const mine = (reply[3] ?? []).find(([consumer]) => consumer.split(":")[1] === String(worker.child.pid));
  return Number(mine?.[1] ?? 0);
}

/**
 * Resolves once the group holds nothing pending: every delivery was acknowledged after its handler
 * recorded it, so no entry can be claimed and handled again — no duplicate can still land.
 */
async function settled(target: GroupTarget): Promise<void> {
  await eventually(async () => (await groupPending(target))[0] === 0, {
    timeoutMs: 60_000,
    label: "the group has nothing pending",
  });
}
