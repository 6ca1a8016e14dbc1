/**
 * Issue 13, item 3: history amplification and Redis filled by one user. Before the fix one
 * `history` frame (limit 500) or a re-join from offset 0 made the relay read and send up to
 * 500 × 512 KB, history was capped by count only, and a user could publish any number of bytes as
 * long as the frame count stayed within its rate. Now, on a relay on Redis: a channel's history is
 * capped by bytes (`history.maxBytes`), recovery and history pages by `limits.maxPageBytes`,
 * `history` frames cost the socket's rate limit by the bytes they return (`historyCostBytes`), and
 * each user has a publish budget in bytes shared by its sockets and surviving reconnects. The
 * budgets run on a frozen clock, so nothing refills while a test runs, whatever the machine's load.
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../common/clock.js";
import { createId } from "../../../protocol/ids.js";
import { useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient, type TestClient } from "../../helpers/relay-client.js";
import {
  publishEvent,
  startTestRelay,
  type TestRelay,
  type TestRelayOptions,
} from "../../helpers/relay-server.js";

const KB = 1024;
const MIB = 1024 * 1024;
const CLAIMS = { rooms: ["big:*"], publish: ["big:*"] };

describe("history and publish amplification, on Redis", () => {
  const fixture = useBrokerFixture("redis");
  const servers: TestRelay[] = [];

  afterEach(async () => {
    closeAllClients();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  function frozenClock() {
    const at = Date.now();
    return { ...systemClock, now: () => at };
  }

  async function relay(options: TestRelayOptions = {}, history?: { maxBytes: number }): Promise<TestRelay> {
    const broker = { ...fixture.current.config(), ...(history && { history }) };
    const server = await startTestRelay({ broker, ...options });
    servers.push(server);
    return server;
  }

  async function fill(server: TestRelay, room: string, count: number, bytes = 200 * KB): Promise<void> {
    const blob = "x".repeat(bytes);
    for (let i = 0; i < count; i++)
      await publishEvent(server.broker, `room:${room}`, "big.event", { i, blob });
  }

  async function redisClient(): Promise<Redis> {
    const client = new Redis(fixture.current.redis?.url ?? "", { lazyConnect: true });
    await client.connect();
    return client;
  }

  const bytesOf = (messages: readonly string[]) => messages.reduce((sum, m) => sum + Buffer.byteLength(m), 0);

  describe("history capped by bytes", () => {
    it("history.maxBytes 1 MiB: 20 events of 200 KB keep only the newest ~1 MiB in Redis", async () => {
      const server = await relay({}, { maxBytes: MIB });
      await fill(server, "big:1", 20);
      const redis = await redisClient();
      try {
        const length = await redis.xlen("{room:big:1}:history");
        const memory = Number(await redis.memory("USAGE", "{room:big:1}:history"));
        console.log(
          `[history] 20 × 200 KB with history.maxBytes 1 MiB: ${length} kept, ${(memory / MIB).toFixed(2)} MiB`,
        );
        expect(length).toBeLessThanOrEqual(5);
        expect(memory).toBeLessThan(1.5 * MIB);
      } finally {
        redis.disconnect();
      }
      // A client recovering from the start is told what was dropped: recovered false.
      const client = await connectClient(server.url, await server.token("u1", CLAIMS));
      const join = await client.call("join", { room: "big:1" });
      const recovery = await client.call("join", {
        room: "big:1",
        since: { offset: 0, epoch: join.position.epoch },
      });
      expect(recovery.recovery?.recovered).toBe(false);
    });
  });

  describe("pages capped by bytes", () => {
    it("a join from offset 0 and a history frame of limit 500 return at most maxPageBytes (1 MiB) each", async () => {
      const server = await relay();
      await fill(server, "big:2", 30);
      const client = await connectClient(server.url, await server.token("u1", CLAIMS));
      const { position } = await client.call("join", { room: "big:2" });
      const since = { offset: 0, epoch: position.epoch };
      const rejoin = await client.call("join", { room: "big:2", since });
      const page = await client.call("history", { channel: "room:big:2", since, limit: 500 });
      const sizes = [bytesOf(rejoin.recovery?.messages ?? []), bytesOf(page.messages)];
      console.log(`[history] pages of 30 × 200 KB: join ${sizes[0]} B, history(limit 500) ${sizes[1]} B`);
      for (const size of sizes) {
        expect(size).toBeGreaterThan(0);
        expect(size).toBeLessThanOrEqual(MIB);
      }
      expect(rejoin.recovery?.more).toBe(true);
      expect(page.more).toBe(true);
    });

    it("history frames cost the rate limit by the bytes they return (1 frame per 64 KiB)", async () => {
      // Burst 40 frames: a page of ~1 MiB costs 1 + 16, so three pages fit and the fourth is refused.
      const server = await relay({ clock: frozenClock(), limits: { rateBurst: 40 } });
      await fill(server, "big:3", 30);
      const client = await connectClient(server.url, await server.token("u1", CLAIMS));
      const { position } = await client.call("join", { room: "big:3" });
      const since = { offset: 0, epoch: position.epoch };
      const replies = [];
      for (let i = 0; i < 6; i++)
        replies.push(await client.request("history", { channel: "room:big:3", since }));
      const codes = replies.map((reply) => (reply.ok ? "ok" : reply.error.code));
      console.log(`[history] 6 history frames of ~1 MiB with a burst of 40 frames: ${codes.join(", ")}`);
      expect(codes).toEqual(["ok", "ok", "ok", "RATE_LIMITED", "RATE_LIMITED", "RATE_LIMITED"]);
    });
  });

  describe("the per-user publish budget in bytes", () => {
    async function publishAll(client: TestClient, rooms: number, offset: number): Promise<string[]> {
      const data = { blob: "y".repeat(100 * KB) };
      const codes: string[] = [];
      for (let i = 0; i < rooms; i++) {
        const room = `big:r${offset + i}`;
        const reply = await client.request("publish", { id: createId(), type: "big.event", data, room });
        codes.push(reply.ok ? "ok" : reply.error.code);
      }
      return codes;
    }

    it("shared by a user's sockets, surviving reconnects: 4 MiB burst, then RATE_LIMITED; others unaffected", async () => {
      const server = await relay({ clock: frozenClock() });
      const token = await server.token("spammer", CLAIMS);
      const sockets = await Promise.all(Array.from({ length: 4 }, () => connectClient(server.url, token)));
      // 4 sockets × 20 rooms × 100 KB = 8 MB, twice the user's burst (4 MiB; 1 MiB/s refill, frozen here).
      const codes = (await Promise.all(sockets.map((s, i) => publishAll(s, 20, i * 20)))).flat();
      const accepted = codes.filter((code) => code === "ok").length;
      for (const socket of sockets) socket.close();
      const again = await connectClient(server.url, token);
      const afterReconnect = await publishAll(again, 1, 100);
      const other = await connectClient(server.url, await server.token("honest", CLAIMS));
      const honest = await publishAll(other, 1, 200);
      const redis = await redisClient();
      let stored = 0;
      try {
        for (const key of await redis.keys("{room:big:r*}:history")) stored += await redis.xlen(key);
      } finally {
        redis.disconnect();
      }
      console.log(
        `[publish-budget] 80 publishes of 100 KB by one user on 4 sockets: ${accepted} accepted, ${stored} stored`,
      );
      expect(accepted).toBeGreaterThanOrEqual(30); // the burst is usable
      expect(accepted * 100 * KB).toBeLessThanOrEqual(4 * MIB);
      expect(new Set(codes.filter((code) => code !== "ok"))).toEqual(new Set(["RATE_LIMITED"]));
      expect(afterReconnect).toEqual(["RATE_LIMITED"]);
      expect(honest).toEqual(["ok"]);
      expect(stored).toBe(accepted + 1);
    });
  });
});
