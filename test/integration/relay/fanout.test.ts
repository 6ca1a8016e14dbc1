/**
 * The fan-out paths: WebSocket clients written directly (coalesced within a burst) and long-polling
 * clients through socket.io's own path receive the same messages, in order, intact — small, large
 * (multi-byte lengths) and interleaved with acks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../../../protocol/codec.js";
import { createId } from "../../../protocol/ids.js";
import { closeAllClients, connectClient, type TestClient } from "../../helpers/relay-client.js";
import { startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

describe.each([true, false])("fan-out (directFanout: %s)", (directFanout) => {
  let server: TestRelay;
  let ws: TestClient;
  let polling: TestClient;

  beforeAll(async () => {
    // ~19 MB in one burst: above the default slow-consumer byte limit, which is not under test here.
    server = await startTestRelay({
      longPolling: true,
      directFanout,
      limits: { maxBufferedBytes: 64 * 1024 * 1024 },
    });
    const claims = { rooms: ["photo:*"], publish: ["photo:*"] };
    ws = await connectClient(server.url, await server.token("a", claims));
    polling = await connectClient(server.url, await server.token("b", claims), { transports: ["polling"] });
    await ws.call("join", { room: "photo:1" });
    await polling.call("join", { room: "photo:1" });
  });
  afterAll(async () => {
    closeAllClients();
    await server.close();
  });

  it("delivers a burst in order to WebSocket and long-polling clients alike", async () => {
    expect(polling.socket.io.engine.transport.name).toBe("polling");
    const sizes = [10, 200, 70_000, 10, 300_000, 5];
    const publishes = Array.from({ length: 300 }, (_, i) => {
      const { json } = encodeEvent({
        type: "photo.processing.progress",
        data: { i, pad: "x".repeat(sizes[i % sizes.length] ?? 0) },
        source: "test",
      });
      return server.broker.publishRecoverable("room:photo:1", json);
    });
    const ack = ws.call("publish", {
      id: createId(),
      type: "comment.added",
      data: { mid: true },
      room: "photo:1",
    });
    await Promise.all([...publishes, ack]);
    for (const client of [ws, polling]) {
      const got = await client.messages.waitFor(301);
      expect(got.map((m) => m.message.offset)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
      const big = got.find((m) => (m.message.data as { i?: number }).i === 4);
      expect((big?.message.data as { pad?: string } | undefined)?.pad).toHaveLength(300_000);
    }
  });
});
