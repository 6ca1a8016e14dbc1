/**
 * The bus's connections (issue 17, goal 6): the built-in WebSocket client (client/ws-transport.ts)
 * and socket.io-client as the opt-in entry client/socket-io, both against a real relay; the options
 * only socket.io-client implements refused, with what to import; and the built-in client's
 * heartbeat against a relay stand-in that opens the connection and then goes silent.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { validateEventBusOptions } from "../../../client/index.js";
import { socketIoClient } from "../../../client/socket-io.js";
import { closeAllBuses, collect, ROOM_CLAIMS, statusReached, testBus } from "../../helpers/client-bus.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { eventually } from "../../helpers/wait.js";

let server: TestRelay;
const stands: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  server = await startTestRelay({ longPolling: true }); // WebSocket and long-polling
});

afterEach(async () => {
  closeAllBuses();
  await Promise.all(stands.splice(0).map((s) => s.close()));
  await server.close();
});

/** A relay stand-in on raw WebSockets: `onSocket` scripts what it says. */
async function standIn(onSocket: (socket: WebSocket, url: string) => void): Promise<string> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on("connection", (socket, request) => onSocket(socket, request.url ?? ""));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  stands.push({
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  });
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

describe("connections", () => {
  it.each([
    ["the built-in WebSocket client", {}],
    ["socket.io-client over WebSocket", { socketIo: socketIoClient }],
    ["socket.io-client over long-polling", { socketIo: socketIoClient, transports: ["polling"] as const }],
  ])("%s: connects, joins, publishes and receives", async (_name, options) => {
    const alice = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), options);
    const bob = testBus(server.url, () => server.token("bob", ROOM_CLAIMS), options);
    const seen = collect(bob, "comment.*");
    await Promise.all([alice.joinRoom("photo:1"), bob.joinRoom("photo:1")]);
    const ack = await alice.publish("comment.added", { text: "hi" }, { room: "photo:1" });
    await publishEvent(server.broker, "room:photo:1", "comment.added", { text: "from a service" });
    const got = await seen.waitFor(2);
    expect(got.map((e) => [e.id === ack.id, e.data])).toEqual([
      [true, { text: "hi" }],
      [false, { text: "from a service" }],
    ]);
  });

  it("without socketIo, options only socket.io-client implements throw INVALID_OPTIONS saying what to import", () => {
    const base = { url: server.url, token: "t" };
    for (const [options, option] of [
      [{ transports: ["polling"] }, "transports"],
      [{ transports: ["websocket", "webtransport"] }, "transports"],
      [{ socketOptions: { extraHeaders: { a: "b" } } }, "socketOptions.extraHeaders"],
      [{ socketIo: {} }, "socketIo"],
    ] as const) {
      expect(() => validateEventBusOptions({ ...base, ...options } as never)).toThrow(
        expect.objectContaining({
          code: "INVALID_OPTIONS",
          details: { option },
          message: expect.stringContaining("@shared-infra/event-bus/client/socket-io"),
        }),
      );
    }
    expect(() =>
      validateEventBusOptions({ ...base, transports: ["websocket"], socketOptions: { query: { a: "b" } } }),
    ).not.toThrow();
  });

  it("the built-in client sends `query` and `path`, and ends a connection whose heartbeat stops (ping timeout)", async () => {
    const urls: string[] = [];
    const url = await standIn((socket, path) => {
      urls.push(path);
      socket.send(
        JSON.stringify({ sid: "s", upgrades: [], pingInterval: 50, pingTimeout: 50 }).replace(/^/, "0"),
      );
      socket.on("message", (data) => {
        const text = String(data);
        // socket.io CONNECT with auth: accept it, then never ping.
        if (text.startsWith("40")) socket.send('40{"sid":"x"}');
      });
    });
    const bus = testBus(url, () => "token", {
      path: "/relay-io",
      socketOptions: { query: { tenant: "t1" } },
      requestTimeout: 60_000,
    });
    const reasons: string[] = [];
    bus.on("status", (change) => reasons.push(change.reason.message));
    await eventually(() => reasons.some((reason) => reason.includes("ping timeout")), {
      label: "a status change for the ping timeout",
    });
    expect(urls[0]).toMatch(/^\/relay-io\/\?/);
    expect(new URLSearchParams(urls[0]?.split("?")[1]).get("tenant")).toBe("t1");
    expect(new URLSearchParams(urls[0]?.split("?")[1]).get("EIO")).toBe("4");
  });

  it("the built-in client reports a refused handshake with its code (connect_error data)", async () => {
    const url = await standIn((socket) => {
      socket.send(
        `0${JSON.stringify({ sid: "s", upgrades: [], pingInterval: 25_000, pingTimeout: 20_000 })}`,
      );
      socket.on("message", (data) => {
        if (String(data).startsWith("40"))
          socket.send(
            `44${JSON.stringify({ message: "no", data: { code: "TOKEN_INVALID", message: "bad token" } })}`,
          );
      });
    });
    const bus = testBus(url, () => "token");
    await statusReached(bus, "unauthorized");
    expect(bus.store.getState().error).toMatchObject({ code: "TOKEN_INVALID", message: "bad token" });
  });
});
