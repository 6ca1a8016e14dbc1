/**
 * Issue 13, item 9: a client cut as a slow consumer learns why. The relay's `notice` is dropped
 * with the backlog it is cut for, so the client used to see only "transport close"; now the reason
 * is kept in the broker and returned by the next `hello` (`previous`), and the SDK shows it as
 * `disconnectReason`. The client reads through a throttled proxy that stops forwarding (a client
 * that does not read) while 200 KB events pile up on the relay, until the relay cuts it.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { closeAllBuses, collect, range, sequence, statusReached, testBus } from "../../helpers/client-bus.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { startThrottledProxy, type ThrottledProxy } from "../../helpers/throttled-proxy.js";
import { eventually } from "../../helpers/wait.js";

const EVENT_BYTES = 200 * 1024;
/** At most this many events (20 MB) are published while the client does not read. */
const MAX_EVENTS = 100;

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

it("a client that stopped reading is cut; after it reconnects its disconnectReason is SLOW_CONSUMER", async () => {
  const history = { maxBytes: 32 * 1024 * 1024 };
  server = await startTestRelay({ broker: { broker: "redis", url: redis.url, history } });
  const relay = server.relay;
  proxy = await startThrottledProxy(relay.port, { bytesPerSecond: 64 * 1024 * 1024 });
  const bus = testBus(proxy.url, () => server?.token("u1") ?? "");
  const events = collect(bus, "big.*", "user:u1");
  await statusReached(bus, "connected");
  expect(bus.store.getState().disconnectReason).toBeNull();

  proxy.pause();
  const blob = "x".repeat(EVENT_BYTES);
  let published = 0;
  const cut = () => relay.io.sockets.sockets.size === 0;
  // Publish until the relay cuts the socket (the kernel's loopback buffers absorb a few MB first).
  while (!cut() && published < MAX_EVENTS) {
    await publishEvent(relay.broker, "user:u1", "big.event", { i: published++, blob });
    if (published % 10 === 0) await eventually(cut, { timeoutMs: 1500 }).catch(() => undefined);
  }
  expect(cut()).toBe(true);
  proxy.resume();

  await eventually(() => bus.store.getState().disconnectReason?.code === "SLOW_CONSUMER", {
    timeoutMs: 15_000,
    label: "disconnectReason SLOW_CONSUMER",
  });
  await statusReached(bus, "connected");
  // And it recovers what it missed: once each, in order.
  await events.waitFor(published, 20_000);
  expect(sequence(events.items)).toEqual(range(published));
  console.log(`[slow-consumer-reason] cut after ${published} events of 200 KB; all recovered`);
}, 60_000);
