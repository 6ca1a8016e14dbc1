/**
 * Issue 13, item 5: the slow-consumer byte limit holds on long-polling too. Before the fix only the
 * packet count was checked for polling sockets: 900 events of 300 KB were queued with no kick and
 * one GET returned 277 MB. Here a raw polling client (fetch, no socket.io-client) authenticates,
 * says `hello`, then stops polling while 9 MB are published to its user channel: the relay must
 * cut it as a slow consumer (4 MB limit) and forget its session.
 */
import { afterEach, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "../../../protocol/frames.js";
import {
  connectPacket,
  eventPacket,
  pollingGet,
  pollingOpen,
  pollingPost,
} from "../../helpers/raw-engine.js";
import { metric } from "../../helpers/relay-metrics.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { eventually } from "../../helpers/wait.js";

let server: TestRelay | undefined;

afterEach(async () => {
  await server?.close();
});

/** Long-polls until a packet starting with `prefix` arrives (a bounded number of polls). */
async function pollFor(url: string, sid: string, prefix: string): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const { packets } = await pollingGet(url, sid);
    const found = packets.find((packet) => packet.startsWith(prefix));
    if (found !== undefined) return found;
  }
  throw new Error(`no packet starting with ${prefix}`);
}

it("a long-polling client that stops polling while 9 MB are published is cut as SLOW_CONSUMER", async () => {
  server = await startTestRelay({ longPolling: true });
  const url = server.url;
  const sid = await pollingOpen(url);
  await pollingPost(url, sid, [connectPacket({ token: await server.token("u1"), v: PROTOCOL_VERSION })]);
  await pollFor(url, sid, "40");
  await pollingPost(url, sid, [eventPacket(1, "hello", {})]);
  expect(await pollFor(url, sid, "431")).toContain('"ok":true');

  // The client stops polling; 30 events of 300 KB are published to it.
  const blob = "z".repeat(300 * 1024);
  for (let i = 0; i < 30; i++) await publishEvent(server.broker, "user:u1", "big.event", { i, blob });
  const slowCuts = () => metric(url, "eventbus_relay_disconnects_total", 'reason="SLOW_CONSUMER"');
  const cut = await eventually(async () => (await slowCuts()) === 1, { timeoutMs: 10_000 }).then(
    () => true,
    () => false,
  );
  console.log(
    `[polling] 9 MB queued for a polling client that stopped polling: ${await slowCuts()} SLOW_CONSUMER cut(s), ` +
      `${server.relay.io.engine.clientsCount} engine connection(s) left`,
  );
  expect(cut).toBe(true);
  expect(server.relay.io.engine.clientsCount).toBe(0);
  expect((await pollingGet(url, sid)).status).toBe(400); // nothing was kept for it
});
