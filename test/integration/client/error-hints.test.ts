/**
 * The SDK's NOT_CONNECTED errors say what failed and what to do about that cause (issue 15, item
 * 10): an unreachable relay URL points at `url`, a failing token endpoint points at getToken —
 * never the generic "call connect() first". Real socket.io client, real sockets, real fetch.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { EventBusError } from "../../../protocol/errors.js";
import { closeAllBuses, testBus } from "../../helpers/client-bus.js";
import { eventually } from "../../helpers/wait.js";

const servers: Server[] = [];

afterEach(async () => {
  closeAllBuses();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A token endpoint that answers 503 to everything. */
async function brokenTokenEndpoint(): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(503).end("maintenance"));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/event-token`;
}

async function fetchToken(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return response.text();
}

async function firstError(bus: ReturnType<typeof testBus>): Promise<EventBusError> {
  await eventually(() => bus.store.getState().error !== null, {
    timeoutMs: 30_000,
    label: "a connection error",
  });
  return bus.store.getState().error as EventBusError;
}

describe("NOT_CONNECTED hints match the cause", () => {
  it("an unreachable relay URL: the message names the URL, the hint points at `url`", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const bus = testBus(url, () => "any-token", { transports: ["websocket"] });
    const error = await firstError(bus);
    expect(error.code).toBe("NOT_CONNECTED");
    expect(error.message).toContain(`Could not reach the relay at ${url}`);
    expect(error.hint).toContain("`url`");
    expect(error.hint).not.toMatch(/connect\(\) first|getToken/);
    expect(bus.status).toBe("reconnecting");
  });

  it("a token endpoint that fails: the hint points at getToken, and the relay is not contacted", async () => {
    const endpoint = await brokenTokenEndpoint();
    const relayUrl = `http://127.0.0.1:${await closedPort()}`;
    const bus = testBus(relayUrl, () => fetchToken(endpoint));
    const error = await firstError(bus);
    expect(error.code).toBe("NOT_CONNECTED");
    expect(error.message).toContain("getToken() failed: token endpoint answered 503");
    expect(error.hint).toMatch(/getToken/);
    expect(error.hint).not.toMatch(/connect\(\) first|`url`/);
  });

  it("a token endpoint that cannot be reached (fetch failed): the same getToken hint", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/api/event-token`;
    const bus = testBus(`http://127.0.0.1:${await closedPort()}`, () => fetchToken(endpoint));
    const error = await firstError(bus);
    expect(error.message).toContain("getToken() failed: fetch failed");
    expect(error.hint).toMatch(/getToken/);
  });
});
