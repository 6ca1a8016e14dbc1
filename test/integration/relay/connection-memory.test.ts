/**
 * Issue 17: what an idle connection keeps on the relay. Once a socket connected, the handshake's
 * token and the upgrade request's headers are gone (X-Forwarded-For aside), and the socket is in no
 * socket.io room named after its id — while it still joins rooms, receives their events, and counts
 * against (and is released from) the per-user connection cap.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeAllClients, connectClient } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { eventually } from "../../helpers/wait.js";

describe("an idle connection on the relay", () => {
  let server: TestRelay;

  beforeEach(async () => {
    server = await startTestRelay({ limits: { maxConnectionsPerUser: 1 } });
  });
  afterEach(async () => {
    closeAllClients();
    await server.close();
  });

  it("keeps no token, no request headers and no own-id room, and still works", async () => {
    const client = await connectClient(server.url, await server.token("ann", { rooms: ["photo:*"] }), {
      extraHeaders: { "x-big-cookie": "c".repeat(2000), "x-forwarded-for": "203.0.113.7" },
    });
    await client.call("join", { room: "photo:1" });
    const socket = server.relay.io.sockets.sockets.get(client.socket.id ?? "");
    expect(socket).toBeDefined();
    expect(socket?.handshake.auth).toEqual({});
    expect(socket?.handshake.headers).toEqual({ "x-forwarded-for": "203.0.113.7" });
    const request = socket?.conn.request as { rawHeaders?: unknown[]; headers?: object } | undefined;
    expect(request?.rawHeaders).toEqual([]);
    expect(request?.headers).toEqual({ "x-forwarded-for": "203.0.113.7" });
    const rooms = server.relay.io.sockets.adapter.rooms;
    expect(rooms.has(socket?.id ?? "")).toBe(false);
    expect([...(server.relay.io.sockets.adapter.sids.get(socket?.id ?? "") ?? [])]).toEqual(["room:photo:1"]);

    await publishEvent(server.broker, "room:photo:1", "photo.tagged", { n: 1 });
    const [message] = await client.messages.waitFor(1);
    expect(message?.message.type).toBe("photo.tagged");
  });

  it("releases the per-user cap on disconnect", async () => {
    const token = await server.token("bob");
    const first = await connectClient(server.url, token);
    first.close();
    await eventually(() => server.relay.io.engine.clientsCount === 0, { label: "the relay saw the close" });
    const second = await connectClient(server.url, token);
    expect(second.socket.connected).toBe(true);
  });
});
