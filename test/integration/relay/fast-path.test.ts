/**
 * Which fan-out path a delivery takes, read from /metrics (`eventbus_relay_deliveries_total{path}`):
 * an idle WebSocket client gets the pre-built frame written directly; a long-polling client goes
 * through engine.io. If the direct path silently stopped being taken (say a renamed ws internal
 * after a dependency upgrade), the first test fails even though every message still arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, connectClient, type TestClient } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

async function deliveries(url: string): Promise<{ direct: number; engine: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (path: string) => {
    const match = new RegExp(`^eventbus_relay_deliveries_total\\{path="${path}"\\} (\\d+)$`, "m").exec(text);
    return Number(match?.[1] ?? Number.NaN);
  };
  return { direct: read("direct"), engine: read("engine") };
}

/** Publishes `count` events one at a time, each awaited at the client before the next. */
async function publishAndReceive(server: TestRelay, client: TestClient, room: string, count: number) {
  const before = client.messages.items.length;
  for (let i = 0; i < count; i++) {
    await publishEvent(server.broker, `room:${room}`, "photo.processing.progress", { i });
    await client.messages.waitFor(before + i + 1);
  }
}

describe.each([true, false])("fan-out paths (directFanout: %s)", (directFanout) => {
  let server: TestRelay;
  const claims = { rooms: ["photo:*"] };

  beforeAll(async () => {
    server = await startTestRelay({ longPolling: true, directFanout });
  });
  afterAll(async () => {
    closeAllClients();
    await server.close();
  });

  it(`an idle WebSocket client ${directFanout ? "takes the direct path" : "goes through engine.io"}`, async () => {
    const ws = await connectClient(server.url, await server.token("a", claims), {
      transports: ["websocket"],
    });
    await ws.call("join", { room: "photo:ws" });
    const before = await deliveries(server.url);
    await publishAndReceive(server, ws, "photo:ws", 20);
    const after = await deliveries(server.url);
    expect(after.direct - before.direct).toBe(directFanout ? 20 : 0);
    expect(after.engine - before.engine).toBe(directFanout ? 0 : 20);
  });

  it("a long-polling client goes through engine.io", async () => {
    const polling = await connectClient(server.url, await server.token("b", claims), {
      transports: ["polling"],
    });
    expect(polling.socket.io.engine.transport.name).toBe("polling");
    await polling.call("join", { room: "photo:poll" });
    const before = await deliveries(server.url);
    await publishAndReceive(server, polling, "photo:poll", 20);
    const after = await deliveries(server.url);
    expect(after.engine - before.engine).toBe(20);
    expect(after.direct - before.direct).toBe(0);
  });
});
