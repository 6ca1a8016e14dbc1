/**
 * Chaos: consumers that stop reading. Three SDK consumers run in their own processes and are
 * SIGSTOPped (their event loop and socket reads stop; the kernel buffers fill) while a backend
 * pushes a firehose of 8 KB events into their room. The relay (a real process) must keep its memory
 * bounded, disconnect each stuck socket with SLOW_CONSUMER, and keep serving the two honest
 * consumers in the same room without loss. Resumed (SIGCONT), the slow consumers reconnect and
 * recover everything from history: once each, in order.
 * The firehose waits for the honest consumers after each batch of 50 (400 KB, far below the relay's
 * 1000-message / 4 MB limits): however busy the machine, they are never more than a batch behind,
 * so they cannot look slow — the stopped ones fall behind by the whole firehose (48 MB each).
 */
import type { ChildProcess } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { spawnTracked, stopProcess } from "../harness/processes.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { closeAllBuses, testBus } from "../helpers/client-bus.js";
import { type RelayProcess, startRelayProcess } from "../helpers/relay-process.js";
import { TEST_SECRET } from "../helpers/relay-server.js";
import { eventually } from "../helpers/wait.js";
import { type ChaosBackend, startBackend } from "./support/backend.js";
import { DeliveryLedger } from "./support/ledger.js";
import { metric, rssMb, rssPeak } from "./support/relay-probe.js";
import { recordRow } from "./support/report.js";
import { type ObservedBus, observeBus } from "./support/traffic.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ROOM = "chaos:firehose";
const SLOW = 3;
const EVENTS = 6000;
const BLOB = "x".repeat(8 * 1024);
const BATCH = 50;

let redis: RedisServer;
let relay: RelayProcess;
let backend: ChaosBackend;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  relay = await startRelayProcess({ EVENT_BUS_REDIS_URL: redis.url, LOG_LEVEL: "error" });
  // The history must hold the whole firehose (48 MB) for the resumed consumers to recover it all.
  const wholeFirehose = { maxLength: 2 * EVENTS, maxBytes: 2 * EVENTS * BLOB.length };
  backend = await startBackend(redis.url, { history: wholeFirehose });
});

afterAll(async () => {
  closeAllBuses();
  for (const child of children) child.kill("SIGCONT");
  await Promise.all(children.map((c) => stopProcess(c, "SIGKILL")));
  await backend?.close();
  await relay?.kill();
  await redis?.stop();
});

interface Consumer {
  readonly child: ChildProcess;
  readonly lines: Interface;
  next(): Promise<Record<string, number | boolean>>;
}

function startConsumer(user: string): Consumer {
  const child = spawnTracked(
    process.execPath,
    ["--import", "tsx", "test/chaos/support/consumer-child.ts", relay.url, user, ROOM, TEST_SECRET],
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  children.push(child);
  child.stderr?.resume();
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const iterator = lines[Symbol.asyncIterator]();
  return {
    child,
    lines,
    async next() {
      const { value, done } = await iterator.next();
      if (done) throw new Error(`consumer ${user} exited before answering`);
      return JSON.parse(String(value)) as Record<string, number | boolean>;
    },
  };
}

it("3 stopped consumers under a firehose: bounded relay memory, SLOW_CONSUMER, others unaffected", async () => {
  const consumers = Array.from({ length: SLOW }, (_, i) => startConsumer(`slow${i}`));
  for (const consumer of consumers) expect(await consumer.next()).toEqual({ ready: true });
  const ledger = new DeliveryLedger();
  const honest: ObservedBus[] = [];
  for (const name of ["fast0", "fast1"]) {
    const bus = testBus(relay.url, () => createDevToken({ sub: name, secret: TEST_SECRET, rooms: [ROOM] }));
    honest.push(observeBus(ledger, name, bus));
    ledger.subscribe(name, `room:${ROOM}`);
    await bus.joinRoom(ROOM);
  }
  for (const consumer of consumers) consumer.child.kill("SIGSTOP");

  const baseline = rssMb(relay.child.pid) ?? 0;
  const memory = rssPeak(relay.child.pid, 50);
  const started = Date.now();
  const channel = `room:${ROOM}`;
  for (let seq = 0; seq < EVENTS; seq += BATCH) {
    const size = Math.min(BATCH, EVENTS - seq);
    const batch = Array.from({ length: size }, (_, i) =>
      backend.client.publishToRoom(ROOM, "chaos.blob", { seq: seq + i, blob: BLOB }).then((result) => {
        if (result.offset === undefined || result.epoch === undefined) throw new Error("no position");
        ledger.published(channel, "backend", seq + i, result.id, {
          offset: result.offset,
          epoch: result.epoch,
        });
      }),
    );
    await Promise.all(batch);
    await eventually(() => honest.every((h) => ledger.count(h.name, channel) >= seq + size), {
      timeoutMs: 30_000,
      intervalMs: 5,
      label: `honest consumers got events up to ${seq + size}`,
    });
  }
  const firehoseMs = Date.now() - started;
  await eventually(() => ledger.audit().lost === 0, { timeoutMs: 30_000, label: "honest consumers got all" });
  await eventually(
    async () => (await metric(relay.url, "eventbus_relay_slow_consumer_disconnects_total")) >= SLOW,
    {
      timeoutMs: 10_000,
      label: "every stopped consumer disconnected",
    },
  );
  const peak = memory.stop();
  const kicked = await metric(relay.url, "eventbus_relay_disconnects_total", 'reason="SLOW_CONSUMER"');
  const audit = ledger.audit();

  for (const consumer of consumers) consumer.child.kill("SIGCONT");
  const reports = await Promise.all(
    consumers.map(async (consumer) => {
      consumer.child.stdin?.write(`${JSON.stringify({ report: EVENTS })}\n`);
      return consumer.next();
    }),
  );
  const slowLost = reports.reduce((sum, r) => sum + (EVENTS - Number(r.unique)), 0);
  const slowDuplicates = reports.reduce((sum, r) => sum + Number(r.duplicates), 0);
  const slowRecovered = reports.reduce((sum, r) => sum + Number(r.recovered), 0);
  const growth = peak - baseline;
  const wouldBuffer = (SLOW * EVENTS * BLOB.length) / 1024 / 1024;
  const ok =
    audit.lost === 0 &&
    audit.duplicated === 0 &&
    honest.every((b) => b.reconnects === 0) &&
    kicked === SLOW &&
    slowLost === 0 &&
    slowDuplicates === 0 &&
    growth < wouldBuffer / 2;
  recordRow({
    scenario: "slow consumers (3 SIGSTOPped processes, 8 KB firehose)",
    runs: SLOW,
    events: audit.expected + SLOW * EVENTS,
    lost: audit.lost + slowLost,
    duplicated: audit.duplicated + slowDuplicates,
    gaps: audit.gaps + reports.reduce((sum, r) => sum + Number(r.gaps), 0),
    maxMemoryMb: peak,
    result: ok ? "pass" : "fail",
    notes: `${EVENTS} events in ${firehoseMs} ms; relay RSS +${growth.toFixed(0)} MB over ${baseline.toFixed(0)} MB while ${wouldBuffer.toFixed(0)} MB were addressed to the stopped sockets; ${kicked} SLOW_CONSUMER disconnects; honest consumers: 0 reconnects; resumed consumers recovered ${slowRecovered} events from history`,
  });
  expect(audit.examples).toEqual([]);
  expect(audit).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unknown: 0, gaps: 0 });
  expect(honest.map((b) => b.reconnects)).toEqual([0, 0]);
  expect(kicked).toBe(SLOW);
  // Bounded: far below what was addressed to the stopped sockets (each may hold ~4 MB + 1000 packets).
  expect(growth).toBeLessThan(wouldBuffer / 2);
  for (const report of reports) {
    expect(report).toMatchObject({ unique: EVENTS, duplicates: 0, outOfOrder: 0, gaps: 0 });
    expect(Number(report.reconnects)).toBeGreaterThanOrEqual(1);
  }
});
