/**
 * Issue 13, item 2: handshake floods without credentials. Before the fix every socket.io CONNECT
 * was verified, answered and logged, on a connection that stayed open whether or not it read its
 * answers: four raw WebSockets sending CONNECT frames took a relay to 706 MB, and one long-polling
 * POST could pack 62 500 handshakes. Now: one CONNECT per engine.io connection (a second one, or a
 * refused one, closes it), a per-address handshake budget checked before any token is verified
 * (X-Forwarded-For only with `trustProxy`), a deadline for authenticating, and refusals logged in
 * aggregate. Verifications are counted from /metrics (`eventbus_relay_auth_failures_total`, one per
 * refused handshake) and the relay's own `connection` events (accepted ones).
 */
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../common/clock.js";
import { PROTOCOL_VERSION } from "../../../protocol/frames.js";
import {
  connectPacket,
  pollingGet,
  pollingOpen,
  pollingPost,
  rawWebSocket,
} from "../../helpers/raw-engine.js";
import { closeAllClients, connectClient, connectError } from "../../helpers/relay-client.js";
import { metric } from "../../helpers/relay-metrics.js";
import { startTestRelay, type TestRelay, type TestRelayOptions } from "../../helpers/relay-server.js";
import { eventually } from "../../helpers/wait.js";

const servers: TestRelay[] = [];
const sockets: { terminate(): void }[] = [];

afterEach(async () => {
  closeAllClients();
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function relay(options: TestRelayOptions = {}): Promise<{ server: TestRelay; accepted: () => number }> {
  const server = await startTestRelay(options);
  servers.push(server);
  let accepted = 0;
  server.relay.io.on("connection", () => accepted++);
  return { server, accepted: () => accepted };
}

const refusedHandshakes = (server: TestRelay) => metric(server.url, "eventbus_relay_auth_failures_total");
const engineConnections = (server: TestRelay) => server.relay.io.engine.clientsCount;
const tcpConnections = (server: TestRelay) =>
  new Promise<number>((resolve) => server.relay.httpServer.getConnections((_, count) => resolve(count)));

describe("CONNECT floods on one connection", () => {
  it.each([
    ["a bad token", false],
    ["one valid token reused", true],
  ])(
    "4 raw WebSockets sending 500 CONNECT frames with %s, never reading: closed, ≤ 2 verifications each",
    async (_, valid) => {
      const { server, accepted } = await relay();
      const token = valid ? await server.token("u1") : "not-a-jwt";
      const connect = connectPacket({ token, v: PROTOCOL_VERSION });
      for (let i = 0; i < 4; i++) {
        const ws = await rawWebSocket(server.url);
        sockets.push(ws);
        ws.pause(); // never reads: every answer would queue on the relay
        for (let n = 0; n < 500; n++) ws.send(connect);
      }
      // Closed down to TCP (well before ws's 30 s closing handshake would give up on a non-reader).
      const closed = await eventually(
        async () => engineConnections(server) === 0 && (await tcpConnections(server)) === 0,
        { timeoutMs: 10_000 },
      ).then(
        () => true,
        () => false,
      );
      const verifications = (await refusedHandshakes(server)) + accepted();
      console.log(
        `[handshake-floods] ${valid ? "valid" : "bad"} token: ${verifications} verifications for 2000 CONNECTs, ` +
          `${engineConnections(server)} of 4 connections still open (${await tcpConnections(server)} TCP)`,
      );
      expect(closed).toBe(true);
      expect(verifications).toBeLessThanOrEqual(8);
      // An honest client still connects at once.
      const honest = await connectClient(server.url, await server.token("honest"));
      expect(honest.socket.connected).toBe(true);
    },
  );

  it("a long-polling POST packing 20 000 CONNECT packets: ≤ 2 verifications, the session closed", async () => {
    const { server, accepted } = await relay({ longPolling: true });
    const sid = await pollingOpen(server.url);
    const packets = Array.from({ length: 20_000 }, () =>
      connectPacket({ token: "not-a-jwt", v: PROTOCOL_VERSION }),
    );
    await pollingPost(server.url, sid, packets);
    const closed = await eventually(() => engineConnections(server) === 0, { timeoutMs: 10_000 }).then(
      () => true,
      () => false,
    );
    const verifications = (await refusedHandshakes(server)) + accepted();
    console.log(`[handshake-floods] polling: ${verifications} verifications for 20000 CONNECTs in one POST`);
    expect(closed).toBe(true);
    expect(verifications).toBeLessThanOrEqual(2);
    expect((await pollingGet(server.url, sid)).status).toBe(400); // the session is gone
  });
});

describe("the per-address handshake budget", () => {
  // A frozen clock: the budget does not refill during the test, whatever the machine's load.
  const frozen = {
    ...systemClock,
    now: (() => {
      const at = Date.now();
      return () => at;
    })(),
  };
  const limits = { handshakesPerSecond: 1, handshakeBurst: 3 };

  it("spent by any handshake (even a bad token), then RATE_LIMITED before any token is verified", async () => {
    const { server } = await relay({ clock: frozen, limits });
    for (let i = 0; i < 3; i++) {
      expect((await connectError(server.url, { token: "not-a-jwt" })).code).toBe("TOKEN_INVALID");
    }
    const refusal = await connectError(server.url, { token: await server.token("u1") });
    expect(refusal.code).toBe("RATE_LIMITED");
    expect(refusal.message).toContain("retry with backoff");
    // X-Forwarded-For is ignored without trustProxy: a spoofed address gets no new budget.
    const spoofed = await connectError(
      server.url,
      { token: await server.token("u1") },
      { extraHeaders: { "x-forwarded-for": "10.0.0.9" } },
    );
    expect(spoofed.code).toBe("RATE_LIMITED");
    expect(await metric(server.url, "eventbus_relay_auth_failures_total", 'code="RATE_LIMITED"')).toBe(2);
  });

  it("with trustProxy: 1 the budget is per X-Forwarded-For address", async () => {
    const { server } = await relay({ clock: frozen, limits, trustProxy: 1 });
    const token = await server.token("u1");
    const from = (address: string) => ({ extraHeaders: { "x-forwarded-for": address } });
    for (let i = 0; i < 3; i++) (await connectClient(server.url, token, from("10.0.0.1"))).close();
    expect((await connectError(server.url, { token }, from("10.0.0.1"))).code).toBe("RATE_LIMITED");
    const other = await connectClient(server.url, token, from("10.0.0.2"));
    expect(other.socket.connected).toBe(true);
  });
});

describe("unauthenticated connections", () => {
  it("an engine.io connection that never sends CONNECT is closed after authTimeoutMs", async () => {
    const { server } = await relay({ limits: { authTimeoutMs: 300 } });
    const ws = await rawWebSocket(server.url);
    sockets.push(ws);
    const closed = new Promise<boolean>((resolve) => {
      ws.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 10_000);
    });
    expect(await closed).toBe(true);
    expect(engineConnections(server)).toBe(0);
  });

  it("refused handshakes are logged in aggregate: one line per address, then one with the count", async () => {
    const lines: { msg: string; count?: number; codes?: Record<string, number> }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    });
    const server = await startTestRelay({ logger: pino({ level: "info" }, sink) });
    for (let i = 0; i < 50; i++) await connectError(server.url, { token: "not-a-jwt" });
    await server.close(); // flushes the refusal log
    const refusals = lines.filter((line) => /refused/.test(line.msg));
    console.log(`[handshake-floods] 50 refused handshakes → ${refusals.length} log lines`);
    expect(refusals.map((line) => line.msg)).toEqual([
      "refused a connection",
      "refused 49 more connections from 127.0.0.1",
    ]);
    expect(refusals[1]).toMatchObject({ count: 49, codes: { TOKEN_INVALID: 49 } });
  });
});
