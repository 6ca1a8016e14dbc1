/**
 * Figure 10 — consumer groups vs plain PUBLISH/SUBSCRIBE (issue 19's benchmark).
 *
 * Consumers are separate processes (bench/procs/group-consumer.ts), each an EventBusClient on the
 * same throwaway Redis; the publisher is an EventBusClient in this process (batching on).
 *   1. Throughput: `events` events published as fast as the publisher can, timed from the first
 *      publish until every event was handled (a group: once in total; PUBLISH/SUBSCRIBE: by its one
 *      subscriber). A group adds to each event an XADD (same script as the PUBLISH), an XREADGROUP
 *      (batched, prefetch 16) and an XACK (batched per tick).
 *   2. End-to-end latency at a fixed rate: publish → handler, CLOCK_MONOTONIC, p50 and p99.
 * Each contender runs `rounds` times on a fresh event type; the figure keeps medians.
 */
import type { ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { EventBusClient } from "../../relay/backend/client.js";
import { now, quietLogger } from "../lib/feeders.js";
import { ask, child, isEvent, line, stopAll } from "../lib/ipc.js";
import type { FigureResult } from "../lib/results.js";
import { median, summarize } from "../lib/stats.js";

export interface GroupsPlan {
  readonly events: number;
  readonly rounds: number;
  readonly rate: number;
  readonly latencySeconds: number;
}

export interface GroupsOptions extends GroupsPlan {
  readonly url: string;
  readonly log: (text: string) => void;
}

const SYSTEMS = [
  { name: "PUBLISH/SUBSCRIBE", consumers: 1, group: null },
  { name: "group ×1", consumers: 1, group: "g" },
  { name: "group ×2", consumers: 2, group: "g" },
  { name: "group ×3", consumers: 3, group: "g" },
] as const;

interface RoundResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

let typeCounter = 0;

async function startConsumers(url: string, type: string, group: string | null, n: number) {
  const procs: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const proc = child(
      "bench/procs/group-consumer.ts",
      [JSON.stringify({ url, type, group, concurrency: 1 })],
      {},
    );
    procs.push(proc);
    await line(proc, /^ready$/m, 30_000);
  }
  return procs;
}

async function handled(procs: readonly ChildProcess[]): Promise<number> {
  const counts = await Promise.all(
    procs.map((p) => ask(p, { cmd: "count" }, isEvent<{ count: number }>("count"))),
  );
  return counts.reduce((sum, c) => sum + c.count, 0);
}

async function waitHandled(procs: readonly ChildProcess[], target: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await handled(procs)) < target) {
    if (Date.now() > deadline)
      throw new Error(`only ${await handled(procs)} of ${target} events handled in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function publishBurst(bus: EventBusClient, type: string, events: number): Promise<void> {
  for (let from = 0; from < events; from += 1000) {
    const batch: Promise<unknown>[] = [];
    for (let seq = from; seq < Math.min(events, from + 1000); seq++) batch.push(bus.publish(type, { seq }));
    await Promise.all(batch);
  }
}

async function publishAtRate(
  bus: EventBusClient,
  type: string,
  rate: number,
  seconds: number,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
    for (; sent < due; sent++) void bus.publish(type, { t: now(), seq: sent });
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return total;
}

async function round(o: GroupsOptions, system: (typeof SYSTEMS)[number]): Promise<RoundResult> {
  const type = `bench.groups.t${++typeCounter}`;
  const procs = await startConsumers(o.url, type, system.group, system.consumers);
  const bus = new EventBusClient({
    serviceName: "bench-publisher",
    redis: o.url,
    logger: quietLogger,
    batching: { batchSize: 100, batchInterval: 0 },
  });
  try {
    await bus.connect();
    const started = performance.now();
    await publishBurst(bus, type, o.events);
    await waitHandled(procs, o.events, 120_000);
    const perSecond = o.events / ((performance.now() - started) / 1000);
    await Promise.all(procs.map((p) => ask(p, { cmd: "samples" }, isEvent("samples"))));
    const sent = await publishAtRate(bus, type, o.rate, o.latencySeconds);
    await waitHandled(procs, o.events + sent, 60_000);
    const replies = await Promise.all(
      procs.map((p) => ask(p, { cmd: "samples" }, isEvent<{ samples: number[] }>("samples"))),
    );
    const latency = summarize(replies.flatMap((r) => r.samples));
    return { perSecond, p50: latency.p50, p99: latency.p99 };
  } finally {
    await bus.disconnect();
    await stopAll(procs);
  }
}

export async function groupsFigure(o: GroupsOptions): Promise<FigureResult> {
  const started = performance.now();
  const results = new Map<string, RoundResult[]>();
  for (let r = 0; r < o.rounds; r++) {
    for (const system of SYSTEMS) {
      const result = await round(o, system);
      results.set(system.name, [...(results.get(system.name) ?? []), result]);
      o.log(
        `groups: ${system.name} round ${r + 1}: ${Math.round(result.perSecond)}/s, p99 ${result.p99.toFixed(2)} ms`,
      );
    }
  }
  const systems = SYSTEMS.map((s) => s.name);
  const med = (name: string, key: keyof RoundResult) => median((results.get(name) ?? []).map((x) => x[key]));
  const plain = med("PUBLISH/SUBSCRIBE", "perSecond");
  const of = (f: (name: string) => number) => Object.fromEntries(systems.map((s) => [s, f(s)]));
  return {
    id: 10,
    title: "Consumer groups vs PUBLISH/SUBSCRIBE",
    setup:
      `${o.events.toLocaleString("en-US")} events per round published in a burst (EventBusClient, batching on), consumers in their own processes ` +
      `(concurrency 1, prefetch 16, a handler that counts); latency at ${o.rate}/s for ${o.latencySeconds} s; medians of ${o.rounds} round(s).`,
    systems,
    metrics: [
      { name: "throughput, publish → all handled", unit: "events/s", values: of((s) => med(s, "perSecond")) },
      { name: "throughput ÷ PUBLISH/SUBSCRIBE", unit: "×", values: of((s) => med(s, "perSecond") / plain) },
      { name: `publish → handler p50 at ${o.rate}/s`, unit: "ms", values: of((s) => med(s, "p50")) },
      { name: `publish → handler p99 at ${o.rate}/s`, unit: "ms", values: of((s) => med(s, "p99")) },
    ],
    targets: [],
    notes: [
      "A group handles each event once in total; PUBLISH/SUBSCRIBE delivers it to its one subscriber. Both are one script call per publish on the publisher's side (the group's also XADDs).",
      "On this 2-core machine 3 consumer processes, Redis and the publisher share the cores: more consumers add handling capacity only while a core is free.",
    ],
    durationSeconds: (performance.now() - started) / 1000,
  };
}
