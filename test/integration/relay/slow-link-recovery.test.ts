/**
 * Issue 13, item 1: recovery of large legal events through a slow link. A client that missed 60
 * events of 200 KB (12 MB) while offline comes back through a link of 8 MB/s (a throttled TCP proxy
 * with backpressure, test/helpers/throttled-proxy.ts) to a relay on Redis with default limits
 * (4 MB slow-consumer limit, checked every 500 ms). Before the fix the whole recovery page (up to
 * 100 events, no byte cap) could not drain within one check: the relay cut the socket, the client
 * came back and asked for the same page, forever — 0 events and no `gap`. Now pages are capped by
 * bytes and paced by the socket draining: every event arrives once, in order (or the client is told
 * `gap`), with a bounded number of reconnects, and live events flow afterwards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GapInfo } from "../../../client/types.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { closeAllBuses, collect, range, sequence, statusReached, testBus } from "../../helpers/client-bus.js";
import { metric } from "../../helpers/relay-metrics.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { startThrottledProxy, type ThrottledProxy } from "../../helpers/throttled-proxy.js";
import { eventually } from "../../helpers/wait.js";

const EVENTS = 60;
const EVENT_BYTES = 200 * 1024;
const LINK_BYTES_PER_SECOND = 8 * 1024 * 1024;

let redis: RedisServer;
let server: TestRelay | undefined;
let proxy: ThrottledProxy | undefined;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

afterEach(async () => {
  closeAllBuses();
  await proxy?.close();
  await server?.close();
});

async function publishBig(broker: Broker, count: number, from = 0): Promise<void> {
  const blob = "x".repeat(EVENT_BYTES);
  for (let i = from; i < from + count; i++) await publishEvent(broker, "user:u1", "big.event", { i, blob });
}

describe("recovery of big events through a slow link", () => {
  it("60 missed events of 200 KB through 8 MB/s: each once, in order (or a gap), few reconnects", async () => {
    // History large enough to hold all 12 MB (the default history.maxBytes, 8 MiB, would drop the
    // oldest and make this a gap by design): the recovery must really move them through the link.
    const history = { maxBytes: 32 * 1024 * 1024 };
    server = await startTestRelay({ broker: { broker: "redis", url: redis.url, history } });
    proxy = await startThrottledProxy(server.relay.port, { bytesPerSecond: LINK_BYTES_PER_SECOND });
    const bus = testBus(proxy.url, () => server?.token("u1") ?? "");
    const events = collect(bus, "big.*", "user:u1");
    const gaps: GapInfo[] = [];
    bus.on("gap", (gap) => gaps.push(gap));
    await statusReached(bus, "connected");
    bus.disconnect();
    await publishBig(server.broker, EVENTS);
    const statuses: string[] = [];
    bus.on("status", (change) => statuses.push(change.status));
    bus.connect();

    // Every missed event, or a gap: never a silent loop (the old relay livelocked here).
    const caughtUp = await eventually(() => events.items.length >= EVENTS || gaps.length > 0, {
      timeoutMs: 40_000,
    }).then(
      () => true,
      () => false,
    );
    const slowCuts = await metric(server.url, "eventbus_relay_slow_consumer_disconnects_total");
    console.log(
      `[slow-link] ${events.items.length} of ${EVENTS} events, ${gaps.length} gaps, ` +
        `${proxy.connections} connections, ${slowCuts} slow-consumer cuts, ` +
        `${(proxy.forwardedBytes / 1024 / 1024).toFixed(1)} MB through the link`,
    );
    expect(caughtUp).toBe(true);
    await publishBig(server.broker, 1, EVENTS); // live again after the recovery
    await eventually(() => events.items.some((e) => (e.data as { i: number }).i === EVENTS), {
      timeoutMs: 20_000,
      label: "the live event after the recovery",
    });

    const received = sequence(events.items) as number[];
    expect(new Set(received).size).toBe(received.length); // no duplicate
    expect(received).toEqual([...received].sort((a, b) => a - b)); // in order
    // A gap is only the SDK giving up after the relay cut a stuck recovery as a slow consumer.
    if (gaps.length === 0) expect(received).toEqual(range(EVENTS + 1));
    else expect(slowCuts).toBeGreaterThan(0);
    // Bounded reconnects: the initial connection, connect(), and at most the SDK's three slow-consumer tries.
    expect(proxy.connections).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === "reconnecting").length).toBeLessThanOrEqual(3);
  }, 60_000);
});
