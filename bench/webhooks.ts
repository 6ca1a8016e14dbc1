/**
 * Webhook dispatcher throughput and latency, on demand (not a figure of `npm run bench`):
 * `npx tsx bench/webhooks.ts [events]`. A throwaway Redis, one EventBusClient publishing
 * `bench.webhook` events as fast as it can, one dispatcher, one healthy local receiver (204, no
 * work) verifying nothing; per `concurrency`: events/s from the first publish to the last accepted
 * request, and publish → delivered latency p50/p99 — all events are published at once, so this is
 * mostly time spent queued behind the burst. Prints figures; asserts nothing.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EventBusClient } from "../relay/backend/client.js";
import { createWebhookDispatcher } from "../relay/webhooks/webhook-dispatcher.js";
import { startRedis } from "../test/harness/redis-server.js";

const EVENTS = Number(process.argv[2] ?? 2000);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

async function run(redisUrl: string, concurrency: number) {
  const latencies: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const seen = new Set<string>();
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const id = String(req.headers["webhook-id"]);
      seen.add(id);
      res.writeHead(204).end();
      if (seen.size === EVENTS) done();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const prefix = `b${concurrency}:`;
  const bus = new EventBusClient({ serviceName: "bench", redis: redisUrl, prefix, logger: quiet });
  await bus.connect();
  const published = new Map<string, number>();
  const dispatcher = createWebhookDispatcher({
    bus,
    store: redisUrl,
    prefix,
    eventTypes: ["bench.webhook"],
    endpoints: [{ id: "sink", url, secrets: [secret], types: ["bench.*"] }],
    allowHttp: true,
    allowNetworks: ["127.0.0.1"],
    concurrency,
    logger: quiet,
    onAttempt: (a) => {
      if (a.outcome === "delivered") latencies.push(a.at - (published.get(a.eventId) ?? a.at));
    },
  });
  await dispatcher.start();
  latencies.length = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: EVENTS }, async (_, i) => {
      const sent = Date.now();
      const { id } = await bus.publish("bench.webhook", { i });
      published.set(id, sent);
    }),
  );
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await dispatcher.stop();
  await bus.disconnect();
  receiver.close();
  const sorted = latencies.filter((l) => l > 0).sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { concurrency, eventsPerSecond: Math.round(EVENTS / seconds), p50Ms: pick(0.5), p99Ms: pick(0.99) };
}

const redis = await startRedis();
try {
  for (const concurrency of [1, 4, 16]) {
    const r = await run(redis.url, concurrency);
    console.log(
      `webhooks: ${EVENTS} events, concurrency ${r.concurrency}: ${r.eventsPerSecond} events/s delivered; publish → delivered p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
    );
  }
} finally {
  await redis.stop();
}
