/**
 * Outbound webhooks against real Redis and real local HTTP receivers (loopback, allow-listed):
 * Standard Webhooks interop (the `standardwebhooks` package verifies every request, also during a
 * secret rotation), retries through a flaky receiver, Retry-After, timeouts, 410 Gone, dead letters
 * and their replay, the SSRF guard, redirects, and events kept while no dispatcher runs.
 * The long proofs (outage, SIGKILL) are in test/chaos/webhooks.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createId } from "../../../protocol/ids.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import type { WebhookAttempt } from "../../../relay/webhooks/endpoint-worker.js";
import {
  createWebhookDispatcher,
  type WebhookDispatcherOptions,
} from "../../../relay/webhooks/webhook-dispatcher.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { collector, eventually } from "../../helpers/wait.js";
import { newSecret, startWebhookReceiver, type WebhookReceiver } from "../../helpers/webhook-receiver.js";
import { silentLogger } from "../backend/silent-logger.js";

describe("outbound webhooks (Redis)", () => {
  let redis: RedisServer;
  const cleanups: (() => Promise<unknown>)[] = [];
  let prefix = "";

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const bus = async () => {
    prefix = `t${createId().slice(-8)}:`;
    const client = new EventBusClient({
      serviceName: "webhooks-test",
      redis: redis.url,
      prefix,
      logger: silentLogger,
      groups: { claimIdleMs: 1000, pollIntervalMs: 200, stopTimeoutMs: 500 },
    });
    await client.connect();
    cleanups.push(() => client.disconnect());
    return client;
  };
  const receiver = async (...args: Parameters<typeof startWebhookReceiver>) => {
    const r = await startWebhookReceiver(...args);
    cleanups.push(() => r.close());
    return r;
  };
  const dispatcher = (options: Omit<WebhookDispatcherOptions, "store" | "prefix">) => {
    const d = createWebhookDispatcher({
      store: redis.url,
      prefix,
      allowHttp: true,
      allowNetworks: ["127.0.0.0/8"],
      retrySchedule: [20, 40, 80, 160, 320, 640, 1000, 1000, 1000, 1000],
      pollIntervalMs: 50,
      breaker: { failureThreshold: 1000, cooldownMs: 100 },
      logger: silentLogger,
      ...options,
    });
    cleanups.push(() => d.stop());
    return d;
  };
  const endpoint = (id: string, r: WebhookReceiver, secrets: string[], types = ["photo.*"]) => ({
    id,
    url: r.url,
    secrets,
    types,
  });
  const publishMany = async (client: EventBusClient, count: number, type = "photo.uploaded") => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await client.publish(type, { seq: i })).id);
    return ids;
  };

  it("signs by Standard Webhooks (verified by the standardwebhooks package, old and new secret during a rotation)", async () => {
    const client = await bus();
    const [oldSecret, newOne] = [newSecret(), newSecret()];
    const withOld = await receiver(oldSecret);
    const withNew = await receiver(newOne);
    const d = dispatcher({
      bus: client,
      eventTypes: ["photo.uploaded", "photo.deleted"],
      endpoints: [
        endpoint("old", withOld, [newOne, oldSecret]),
        endpoint("new", withNew, [newOne, oldSecret], ["photo.uploaded"]),
      ],
    });
    await d.start();
    const ids = await publishMany(client, 5);
    await client.publish("photo.deleted", { seq: 99 });
    await withOld.unique.waitFor(6);
    await withNew.unique.waitFor(5);
    expect(withOld.rejectedSignatures() + withNew.rejectedSignatures()).toBe(0);
    expect(withNew.unique.items.map((w) => w.id)).toEqual(ids);
    expect(withNew.unique.items[0]?.body).toMatchObject({ type: "photo.uploaded", data: { seq: 0 } });
    expect(withOld.unique.items.map((w) => w.body.type)).toContain("photo.deleted");
  });

  it("delivers every event once (deduplicated by webhook-id) through a receiver failing 50% at random, a Retry-After and timeouts", async () => {
    const client = await bus();
    const secret = newSecret();
    const flaky = await receiver(secret, () => (Math.random() < 0.5 ? { status: 500 } : { status: 200 }));
    const limited = await receiver(secret, (_req, n) =>
      n % 3 === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 202 },
    );
    const slow = await receiver(secret, (_req, n) =>
      n % 2 === 1 ? { status: 200, delayMs: 600 } : { status: 200 },
    );
    const attempts = collector<WebhookAttempt>("attempts");
    const d = dispatcher({
      bus: client,
      eventTypes: ["photo.uploaded"],
      endpoints: [
        endpoint("flaky", flaky, [secret]),
        endpoint("limited", limited, [secret]),
        endpoint("slow", slow, [secret]),
      ],
      timeoutMs: 300,
      onAttempt: (a) => attempts.push(a),
    });
    await d.start();
    const ids = await publishMany(client, 60);
    for (const r of [flaky, limited, slow]) {
      await r.unique.waitFor(60, 60_000);
      expect(new Set(r.unique.items.map((w) => w.id))).toEqual(new Set(ids));
    }
    expect(flaky.requests()).toBeGreaterThan(60);
    const retryAfter = attempts.items.filter((a) => a.endpoint === "limited" && a.status === 429);
    for (const a of retryAfter) expect((a.nextAttemptAt ?? 0) - a.at).toBeGreaterThanOrEqual(1000);
    expect(attempts.items.some((a) => a.endpoint === "slow" && a.error === "timeout")).toBe(true);
    await eventually(async () => (await d.stats()).every((s) => s.pending === 0), {
      label: "queues drained",
    });
    const text = await d.metrics();
    expect(text).toMatch(/eventbus_webhooks_delivered_total\{endpoint="flaky"\} 60/);
    expect(text).toMatch(/eventbus_webhooks_retried_total\{endpoint="flaky"\} [1-9]/);
    expect(text).toContain("eventbus_webhooks_request_duration_seconds_bucket");
  });

  it("dead-letters after the last retry, lists and replays per endpoint", async () => {
    const client = await bus();
    const secret = newSecret();
    const down = await receiver(secret, () => ({ status: 503 }));
    const d = dispatcher({
      bus: client,
      eventTypes: ["photo.uploaded"],
      endpoints: [endpoint("down", down, [secret])],
      retrySchedule: [10, 10],
    });
    await d.start();
    const ids = await publishMany(client, 3);
    await eventually(async () => (await d.deadLetters.list("down")).length === 3, {
      label: "3 dead letters",
    });
    const dead = await d.deadLetters.list("down");
    expect(dead.map((x) => x.eventId).sort()).toEqual([...ids].sort());
    expect(dead[0]).toMatchObject({ attempts: 3, reason: "HTTP 503", eventType: "photo.uploaded" });
    down.setBehaviour(() => ({ status: 200 }));
    expect(await d.deadLetters.replay("down", [ids[1] as string])).toBe(1);
    await down.unique.waitFor(1);
    expect(down.unique.items[0]?.id).toBe(ids[1]);
    expect(await d.deadLetters.replay("down")).toBe(2);
    await down.unique.waitFor(3);
    expect(await d.deadLetters.list("down")).toEqual([]);
  });

  it("disables an endpoint that answers 410 Gone; enable + replay brings its events back", async () => {
    const client = await bus();
    const secret = newSecret();
    const gone = await receiver(secret, () => ({ status: 410 }));
    const d = dispatcher({
      bus: client,
      eventTypes: ["photo.uploaded"],
      endpoints: [endpoint("gone", gone, [secret])],
      concurrency: 1,
    });
    await d.start();
    await publishMany(client, 3);
    await eventually(async () => (await d.deadLetters.list("gone")).length === 3, {
      label: "all dead-lettered",
    });
    expect(gone.requests()).toBe(1);
    const [stats] = await d.stats();
    expect(stats?.disabled).toBe("410 Gone");
    expect(await d.metrics()).toMatch(/eventbus_webhooks_endpoint_disabled\{endpoint="gone"\} 1/);
    gone.setBehaviour(() => ({ status: 200 }));
    await d.enable("gone");
    await d.deadLetters.replay("gone");
    await gone.unique.waitFor(3);
  });

  it("keeps events published while no dispatcher runs, and shares them between replicas", async () => {
    const client = await bus();
    const secret = newSecret();
    const r = await receiver(secret);
    const options = { bus: client, eventTypes: ["photo.uploaded"], endpoints: [endpoint("r", r, [secret])] };
    const first = dispatcher(options);
    await first.start();
    await first.stop();
    const ids = await publishMany(client, 20);
    const [a, b] = [dispatcher(options), dispatcher(options)];
    await Promise.all([a.start(), b.start()]);
    await r.unique.waitFor(20);
    expect(new Set(r.unique.items.map((w) => w.id))).toEqual(new Set(ids));
    expect(r.duplicates()).toBe(0);
  });

  it("refuses loopback destinations unless allow-listed, http:// unless allowed, and does not follow redirects", async () => {
    const client = await bus();
    const secret = newSecret();
    const r = await receiver(secret, () => ({ status: 302, headers: { location: "http://127.0.0.1:1/" } }));
    expect(() =>
      createWebhookDispatcher({
        bus: client,
        eventTypes: ["photo.uploaded"],
        endpoints: [endpoint("x", r, [secret])],
        store: redis.url,
      }),
    ).toThrow(/https/);
    expect(() =>
      createWebhookDispatcher({
        bus: client,
        eventTypes: ["photo.uploaded"],
        endpoints: [{ id: "x", url: "https://example.test/", secrets: ["whsec_short"], types: ["photo.*"] }],
        store: redis.url,
      }),
    ).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    const guarded = dispatcher({
      bus: client,
      eventTypes: ["photo.uploaded"],
      endpoints: [endpoint("loop", r, [secret])],
      allowNetworks: [],
    });
    await guarded.start();
    await publishMany(client, 1);
    await eventually(async () => (await guarded.deadLetters.list("loop")).length === 1, { label: "refused" });
    expect((await guarded.deadLetters.list("loop"))[0]?.reason).toMatch(/^refused: .*127\.0\.0\.1/);
    expect(r.requests()).toBe(0);
    await guarded.stop();
    const redirected = dispatcher({
      bus: client,
      eventTypes: ["photo.uploaded"],
      endpoints: [endpoint("redir", r, [secret])],
      retrySchedule: [],
    });
    await redirected.start();
    await publishMany(client, 1);
    await eventually(async () => (await redirected.deadLetters.list("redir")).length === 1, {
      label: "302 dead",
    });
    expect((await redirected.deadLetters.list("redir"))[0]?.reason).toBe("HTTP 302");
    expect(r.requests()).toBe(1);
  });

  it("reads no more than maxResponseBytes of an endless response body", async () => {
    const client = await bus();
    const secret = newSecret();
    const { createServer } = await import("node:http");
    let served = 0;
    const server = createServer((_req, res) => {
      served += 1;
      res.writeHead(200);
      const chunk = Buffer.alloc(16_384, 120);
      const pump = () => {
        while (res.write(chunk)) {}
      };
      res.on("drain", pump);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const port = (server.address() as { port: number }).port;
    const attempts = collector<WebhookAttempt>("attempts");
    const d = dispatcher({
      bus: client,
      eventTypes: ["photo.uploaded"],
      endpoints: [
        { id: "endless", url: `http://127.0.0.1:${port}/`, secrets: [secret], types: ["photo.uploaded"] },
      ],
      maxResponseBytes: 1024,
      timeoutMs: 30_000,
      onAttempt: (a) => attempts.push(a),
    });
    await d.start();
    await publishMany(client, 1);
    const [first] = await attempts.waitFor(1);
    expect(first).toMatchObject({ outcome: "delivered", status: 200 });
    expect(served).toBe(1);
  });
});
