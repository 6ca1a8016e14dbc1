/**
 * The relay's core on each broker (memory, Redis, 3-node cluster): handshake → hello → join with
 * recovery → publish → live forward → history paging, with a backend on its own connection.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createId } from "../../../protocol/ids.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { connectBackend, RELAY_BROKERS, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient } from "../../helpers/relay-client.js";
import { publishEvent as publishWith, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

describe.each(RELAY_BROKERS)("relay core on %s", (kind) => {
  const fixture = useBrokerFixture(kind);
  let server: TestRelay;
  let backend: Broker;
  const publishEvent = (channel: string, type: string, data: unknown) =>
    publishWith(backend, channel, type, data);

  beforeEach(async () => {
    server = await startTestRelay({ recoveryPageSize: 3, broker: fixture.current.config() });
    backend = await connectBackend(fixture.current);
  });

  afterEach(async () => {
    closeAllClients();
    await backend.close();
    await server.close();
  });

  describe("hello", () => {
    it("subscribes the socket's own channels and answers their positions", async () => {
      const client = await connectClient(server.url, await server.token("u1", { roles: ["admin"] }));
      const hello = await client.call("hello", {});
      expect(hello.userId).toBe("u1");
      expect(hello.roles).toEqual(["admin"]);
      expect(hello.connectionId).toBe(client.socket.id);
      expect(hello.channels.map((c) => c.channel)).toEqual(["user:u1", "broadcast", "role:admin"]);
      expect(hello.channels.every((c) => c.position.offset === 0 && c.position.epoch.length > 0)).toBe(true);
      expect(hello.limits).toEqual({ maxEventBytes: 1024 * 1024, maxDataBytes: 512 * 1024 });
      expect(hello.expiresAt).toBeGreaterThan(Date.now());
    });

    it("delivers a backend's user event to every device of that user and nobody else", async () => {
      const phone = await connectClient(server.url, await server.token("u1"));
      const laptop = await connectClient(server.url, await server.token("u1"));
      const other = await connectClient(server.url, await server.token("u2"));
      await Promise.all([phone, laptop, other].map((c) => c.call("hello", {})));
      await publishEvent("user:u1", "photo.uploaded", { photoId: "p1" });
      await publishEvent("broadcast", "system.maintenance", { message: "soon" });
      const [a] = await phone.messages.waitFor(2);
      await laptop.messages.waitFor(2);
      await other.messages.waitFor(1);
      expect(a?.channel).toBe("user:u1");
      expect(a?.message).toMatchObject({ type: "photo.uploaded", data: { photoId: "p1" }, offset: 1 });
      expect(other.messages.items.map((m) => m.channel)).toEqual(["broadcast"]);
    });
  });

  describe("join and publish", () => {
    it("joins an allowed room, forwards publishes to members, de-duplicates by id", async () => {
      const claims = { rooms: ["photo:*"], publish: ["photo:*"] };
      const alice = await connectClient(server.url, await server.token("alice", claims));
      const bob = await connectClient(server.url, await server.token("bob", claims));
      const joined = await alice.call("join", { room: "photo:1" });
      expect(joined).toMatchObject({ room: "photo:1", channel: "room:photo:1", position: { offset: 0 } });
      await bob.call("join", { room: "photo:1" });
      const id = createId();
      const ack = await bob.call("publish", {
        id,
        type: "comment.added",
        data: { text: "hi" },
        room: "photo:1",
      });
      expect(ack).toMatchObject({ id, offset: 1, duplicate: false });
      const again = await bob.call("publish", {
        id,
        type: "comment.added",
        data: { text: "hi" },
        room: "photo:1",
      });
      expect(again).toMatchObject({ id, offset: 1, duplicate: true });
      const [received] = await alice.messages.waitFor(1);
      expect(received?.message).toMatchObject({
        id,
        type: "comment.added",
        data: { text: "hi" },
        metadata: { source: "client:bob", userId: "bob", room: "photo:1" },
        offset: 1,
      });
      await bob.messages.waitFor(1);
      const marker = await publishEvent("room:photo:1", "comment.added", { text: "end" });
      expect(marker?.offset).toBe(2);
      await alice.messages.waitFor(2);
      expect(alice.messages.items.map((m) => m.message.offset)).toEqual([1, 2]);
    });

    it("refuses rooms and publishes the token does not allow", async () => {
      const client = await connectClient(server.url, await server.token("u1", { rooms: ["photo:*"] }));
      await expect(client.call("join", { room: "team:1" })).rejects.toMatchObject({
        error: { code: "FORBIDDEN" },
      });
      const reply = await client.request("publish", {
        id: createId(),
        type: "x.y",
        data: 1,
        room: "photo:1",
      });
      expect(reply).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    });
  });

  describe("recovery", () => {
    it("replays what a client missed, paged, then continues live with no gap or duplicate", async () => {
      const token = await server.token("u1", { rooms: ["photo:*"] });
      const first = await connectClient(server.url, token);
      const { position } = await first.call("join", { room: "photo:1" });
      first.close();
      for (let i = 1; i <= 5; i++) await publishEvent("room:photo:1", "photo.processing.progress", { i });
      const second = await connectClient(server.url, token);
      const joined = await second.call("join", { room: "photo:1", since: position });
      expect(joined.recovery).toMatchObject({ recovered: true, more: true });
      const firstPage = joined.recovery?.messages.map((m) => (JSON.parse(m) as { offset: number }).offset);
      expect(firstPage).toEqual([1, 2, 3]);
      const page = await second.call("history", {
        channel: "room:photo:1",
        since: { offset: 3, epoch: position.epoch },
      });
      expect(page).toMatchObject({ recovered: true, more: false, position: { offset: 5 } });
      expect(page.messages.map((m) => (JSON.parse(m) as { offset: number }).offset)).toEqual([4, 5]);
      await publishEvent("room:photo:1", "photo.processing.progress", { i: 6 });
      const [live] = await second.messages.waitFor(1);
      expect(live?.message.offset).toBe(6);
    });

    it("answers recovered: false when the epoch changed", async () => {
      const client = await connectClient(server.url, await server.token("u1", { rooms: ["photo:*"] }));
      const joined = await client.call("join", { room: "photo:2", since: { offset: 4, epoch: "stale" } });
      expect(joined.recovery).toEqual({ recovered: false, messages: [], more: false });
    });

    it("never serves another user's channel or a room the socket has not joined", async () => {
      const client = await connectClient(server.url, await server.token("u1", { rooms: ["photo:*"] }));
      await client.call("hello", {});
      const since = { offset: 0, epoch: "e" };
      const other = await client.request("history", { channel: "user:u2", since });
      expect(other).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
      const notJoined = await client.request("history", { channel: "room:photo:1", since });
      expect(notJoined).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
      const pattern = await client.request("history", { channel: "room:*", since });
      expect(pattern).toMatchObject({ ok: false, error: { code: "INVALID_CHANNEL" } });
    });
  });
});
