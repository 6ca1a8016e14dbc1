/**
 * The hardening attack cases (issue 13, docs/reliability.md "Hardening") on SSE: request floods
 * spend the per-address budget before any token is verified, shared with socket handshakes; a
 * user cannot open streams past the cap; big events reach a reader once, and a reader recovering
 * many big events over a slow link gets them paced, not cut; an oversized or malformed
 * broker message never reaches a stream. The slow reader that never reads is in sse.test.ts.
 */
import { afterEach, expect, it } from "vitest";
import { systemClock } from "../../../common/clock.js";
import { connectError } from "../../helpers/relay-client.js";
import { metric } from "../../helpers/relay-metrics.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { closeAllSse, openSse } from "../../helpers/sse-client.js";
import { startThrottledProxy, type ThrottledProxy } from "../../helpers/throttled-proxy.js";

let server: TestRelay | undefined;
let proxy: ThrottledProxy | undefined;

afterEach(async () => {
  closeAllSse();
  await proxy?.close();
  proxy = undefined;
  await server?.close();
  server = undefined;
});

// A frozen clock: the budget does not refill during the test, whatever the machine's load.
const frozen = {
  ...systemClock,
  now: (() => {
    const at = Date.now();
    return () => at;
  })(),
};

it("a flood of requests spends the address's handshake budget; past it nothing is verified", async () => {
  server = await startTestRelay({ clock: frozen, limits: { handshakesPerSecond: 1, handshakeBurst: 5 } });
  const statuses = await Promise.all(
    Array.from({ length: 200 }, () => fetch(`${server?.url}/events?token=not-a-jwt`).then((r) => r.status)),
  );
  expect(statuses.filter((s) => s === 401)).toHaveLength(5);
  expect(statuses.filter((s) => s === 429)).toHaveLength(195);
  expect(await metric(server.url, "eventbus_relay_auth_failures_total", 'code="TOKEN_INVALID"')).toBe(5);
  // one budget for sockets and streams: the address is spent for socket handshakes too
  expect((await connectError(server.url, { token: await server.token("u1") })).code).toBe("RATE_LIMITED");
});

it("streams of one user stop at the cap however fast they are opened", async () => {
  server = await startTestRelay({ limits: { maxConnectionsPerUser: 5 } });
  const token = await server.token("flooder");
  const readers = Array.from({ length: 40 }, () =>
    openSse(`${server?.url}/events`, { token, maxConnections: 1 }),
  );
  await Promise.all(readers.map((r) => expectSettled(r)));
  const accepted = readers.filter((r) => r.status === 200);
  expect(accepted.length).toBeLessThanOrEqual(5);
  expect(readers.filter((r) => r.status === 429).length).toBe(40 - accepted.length);
  expect(server.relay.stats().sseStreams).toBeLessThanOrEqual(5);
});

async function expectSettled(reader: ReturnType<typeof openSse>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (reader.status === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

it("big events reach the reader once; an oversized or malformed broker message reaches nobody", async () => {
  server = await startTestRelay();
  const token = await server.token("alice", { rooms: ["photo:*"] });
  const reader = openSse(`${server.url}/events?room=photo:1`, { token });
  await reader.events.waitUntil((e) => e.event === "ready");
  const big = "x".repeat(400 * 1024);
  for (let i = 0; i < 5; i++) await publishEvent(server.broker, "room:photo:1", "photo.big", { i, big });
  await server.broker.publish(
    "room:photo:1",
    `{"id":"x","type":"photo.big","data":"${"y".repeat(1_200_000)}"}`,
  );
  await server.broker.publish("room:photo:1", "not json");
  await publishEvent(server.broker, "room:photo:1", "photo.after", { i: 5 });
  const messages = await reader.messages.waitFor(6);
  expect(messages.map((m) => (m.message.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(await metric(server.url, "eventbus_relay_malformed_messages_total")).toBe(2);
});

it("recovering 35 missed 200 KB events (7 MB; history keeps 8 MiB) over an 8 MB/s link: paced, every one once, no cut", async () => {
  server = await startTestRelay();
  proxy = await startThrottledProxy(Number(new URL(server.url).port), { bytesPerSecond: 8 * 1024 * 1024 });
  const token = await server.token("alice", { rooms: ["photo:*"] });
  const first = openSse(`${proxy.url}/events?room=photo:1`, { token });
  await first.events.waitUntil((e) => e.event === "ready");
  first.close();
  const payload = "z".repeat(200 * 1024);
  for (let i = 0; i < 35; i++) await publishEvent(server.broker, "room:photo:1", "photo.big", { i, payload });
  const second = openSse(`${proxy.url}/events?room=photo:1`, { token, lastEventId: first.lastEventId });
  await second.events.waitUntil((e) => e.event === "ready", 60_000);
  expect(second.messages.items.map((m) => (m.message.data as { i: number }).i)).toEqual(
    Array.from({ length: 35 }, (_, i) => i),
  );
  expect(second.connections).toBe(1);
  expect(await metric(server.url, "eventbus_relay_slow_consumer_disconnects_total")).toBe(0);
}, 90_000);

it("a stream whose id could not come back in a header is refused up front (TOO_MANY_ROOMS)", async () => {
  server = await startTestRelay();
  const token = await server.token("alice", { rooms: ["*"] });
  const rooms = Array.from({ length: 100 }, (_, i) => `${"r".repeat(60)}${i}`).join(",");
  const response = await fetch(`${server.url}/events?rooms=${rooms}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe("TOO_MANY_ROOMS");
  const fits = Array.from({ length: 40 }, (_, i) => `photo:${i}`).join(",");
  const reader = openSse(`${server.url}/events?rooms=${fits}`, { token });
  await reader.events.waitUntil((e) => e.event === "ready");
  expect(reader.lastEventId.length).toBeLessThan(8 * 1024);
});
