/**
 * Figure 6 — backend publish throughput and latency (issue 3's benchmark).
 *
 * 1. Throughput, same payload, same process, one connection each, no subscribers, WINDOW publishes
 *    in flight: raw ioredis PUBLISH of the serialised envelope (plain, auto-pipelined, and with
 *    encodeEvent per event) vs EventBusClient.publish — which also builds, validates and serialises
 *    each envelope — with batching off and on, and the recoverable publishToRoom (history + offset
 *    + PUBLISH in one Lua script). Rounds interleave the contenders; each keeps its best round
 *    (other processes on the machine slow some runs down; the best is the least disturbed).
 * 2. Publish → handler latency (p50/p99) at a fixed rate through two EventBusClients.
 */
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { encodeEvent } from "../../protocol/codec.js";
import { EventBusClient } from "../../relay/backend/client.js";
import type { EventBusConfig } from "../../relay/backend/types.js";
import { quietLogger } from "../lib/feeders.js";
import { type FigureResult, target } from "../lib/results.js";
import { summarize } from "../lib/stats.js";

export interface PublishOptions {
  readonly url: string;
  readonly events: number;
  readonly rounds: number;
  readonly rate: number;
  readonly latencySeconds: number;
  readonly log: (text: string) => void;
}

const WINDOW = 1_000;
const TYPE = "photo.processing.progress";
const DATA = { photoId: "photo-123", userId: "user-456", progress: 42, stage: "thumbnails" };
const BATCHING = { batchSize: 100, batchInterval: 0 };

/** Runs `send` `events` times with at most WINDOW in flight; returns events per second. */
async function throughput(events: number, send: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(2_000, events); i++) await send(i); // warm-up (JIT, scripts cached)
  const started = performance.now();
  for (let done = 0; done < events; done += WINDOW) {
    const batch: Promise<unknown>[] = [];
    for (let i = done; i < Math.min(done + WINDOW, events); i++) batch.push(send(i));
    await Promise.all(batch);
  }
  return events / ((performance.now() - started) / 1000);
}

async function withRedis<T>(url: string, pipelined: boolean, run: (redis: Redis) => Promise<T>) {
  const redis = new Redis(url, { enableAutoPipelining: pipelined });
  try {
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

async function withClient<T>(config: Partial<EventBusConfig>, run: (bus: EventBusClient) => Promise<T>) {
  const bus = new EventBusClient({ serviceName: "bench", logger: quietLogger, ...config });
  await bus.connect();
  try {
    return await run(bus);
  } finally {
    await bus.disconnect();
  }
}

type Contender = readonly [name: string, run: (url: string, events: number) => Promise<number>];

const json = () => encodeEvent({ type: TYPE, data: DATA, source: "bench" }).json;
const CONTENDERS: readonly Contender[] = [
  ["raw PUBLISH", (url, n) => withRedis(url, false, (r) => throughput(n, () => r.publish(TYPE, json())))],
  [
    "raw auto-pipelined",
    (url, n) => withRedis(url, true, (r) => throughput(n, () => r.publish(TYPE, json()))),
  ],
  [
    "raw + encodeEvent",
    (url, n) =>
      withRedis(url, false, (r) =>
        throughput(n, () => r.publish(TYPE, encodeEvent({ type: TYPE, data: DATA, source: "bench" }).json)),
      ),
  ],
  ["publish", (url, n) => withClient({ redis: url }, (bus) => throughput(n, () => bus.publish(TYPE, DATA)))],
  [
    "publish batched",
    (url, n) =>
      withClient({ redis: url, batching: BATCHING }, (bus) => throughput(n, () => bus.publish(TYPE, DATA))),
  ],
  [
    "publishToRoom",
    (url, n) =>
      withClient({ redis: url }, (bus) =>
        throughput(n, (i) => bus.publishToRoom(`photo:${i % 100}`, TYPE, DATA)),
      ),
  ],
  [
    "publishToRoom batched",
    (url, n) =>
      withClient({ redis: url, batching: BATCHING }, (bus) =>
        throughput(n, (i) => bus.publishToRoom(`photo:${i % 100}`, TYPE, DATA)),
      ),
  ],
];

/** Publishes `rate` events/s for `seconds`; the handler measures publish → handler time. */
async function latency(o: PublishOptions, batching: EventBusConfig["batching"]) {
  const samples: number[] = [];
  const total = Math.round(o.rate * o.latencySeconds);
  await withClient({ redis: o.url }, async (subscriber) => {
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    await subscriber.subscribe("bench.latency", (event) => {
      samples.push(performance.now() - (event.data as { sentAt: number }).sentAt);
      if (samples.length === total) resolveDone();
    });
    await withClient({ redis: o.url, ...(batching && { batching }) }, async (publisher) => {
      const started = performance.now();
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((performance.now() - started) * o.rate) / 1000));
        for (; sent < due; sent++)
          void publisher.publish("bench.latency", { sentAt: performance.now(), n: sent });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    });
  });
  return { ...summarize(samples), lost: total - samples.length };
}

export async function publishFigure(o: PublishOptions): Promise<FigureResult> {
  const started = performance.now();
  const best = new Map<string, number>();
  for (let round = 0; round < o.rounds; round++) {
    for (const [name, run] of CONTENDERS) {
      const perSecond = await run(o.url, o.events);
      best.set(name, Math.max(best.get(name) ?? 0, perSecond));
    }
  }
  const off = await latency(o, undefined);
  const on = await latency(o, BATCHING);
  const raw = best.get("raw PUBLISH") ?? Number.NaN;
  const systems = CONTENDERS.map(([name]) => name);
  const of = (f: (name: string) => number) => Object.fromEntries(systems.map((s) => [s, f(s)]));
  const lat = (key: "p50" | "p99" | "lost") => ({ publish: off[key], "publish batched": on[key] });
  o.log(`publish: ${systems.map((s) => `${s} ${Math.round(best.get(s) ?? 0)}/s`).join(", ")}`);
  const bytes = encodeEvent({ type: TYPE, data: DATA, source: "bench" }).bytes;
  return {
    id: 6,
    title: "Backend publish throughput vs raw ioredis",
    setup:
      `${o.events.toLocaleString("en-US")} events of ${bytes} bytes per contender, ${WINDOW} in flight, one connection, ` +
      `best of ${o.rounds} interleaved round(s); latency through two EventBusClients at ${o.rate}/s for ${o.latencySeconds} s.`,
    systems,
    metrics: [
      { name: "throughput", unit: "events/s", values: of((s) => best.get(s) ?? Number.NaN) },
      { name: "throughput ÷ raw PUBLISH", unit: "×", values: of((s) => (best.get(s) ?? Number.NaN) / raw) },
      { name: `publish → handler p50 at ${o.rate}/s`, unit: "ms", values: lat("p50") },
      { name: `publish → handler p99 at ${o.rate}/s`, unit: "ms", values: lat("p99") },
      { name: "latency events not received within 10 s", unit: "events", values: lat("lost") },
    ],
    targets: [
      target(
        "EventBusClient.publish, batching on, vs raw PUBLISH",
        (best.get("publish batched") ?? Number.NaN) / raw,
        "ours ÷ raw events/s",
        { atLeast: 0.8 },
      ),
    ],
    notes: [
      `Recoverable publishToRoom (history + offset + PUBLISH, one Lua script) with batching: ${((best.get("publishToRoom batched") ?? Number.NaN) / raw).toFixed(2)}× raw PUBLISH (information).`,
      `Against raw auto-pipelined PUBLISH (ioredis batching too): publish batched ${((best.get("publish batched") ?? Number.NaN) / (best.get("raw auto-pipelined") ?? Number.NaN)).toFixed(2)}×, publishToRoom batched ${((best.get("publishToRoom batched") ?? Number.NaN) / (best.get("raw auto-pipelined") ?? Number.NaN)).toFixed(2)}× (information).`,
    ],
    durationSeconds: (performance.now() - started) / 1000,
  };
}
