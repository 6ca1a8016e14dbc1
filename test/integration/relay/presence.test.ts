/**
 * Room presence across relays: members with connection ids and token info, join/leave events to
 * sockets that asked for presence, removal on leave and disconnect, and self-healing when a relay
 * dies (its entries expire and the next relay to look announces their leave).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Broker } from "../../../relay/brokers/broker.js";
import { connectBackend, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient } from "../../helpers/relay-client.js";
import { startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";

const claims = { rooms: ["photo:*"] };

describe.each(["memory", "redis"] as const)("presence on %s", (kind) => {
  const fixture = useBrokerFixture(kind);
  let a: TestRelay;
  let b: TestRelay;
  let backend: Broker;

  beforeEach(async () => {
    const options = {
      broker: fixture.current.config(),
      auth: { secret: TEST_SECRET },
      presence: { ttlMs: 1000, refreshMs: 200 },
    };
    [a, b] = await Promise.all([startTestRelay(options), startTestRelay(options)]);
    backend = await connectBackend(fixture.current);
  });
  afterEach(async () => {
    closeAllClients();
    await backend.close();
    await Promise.all([a.close(), b.close()]);
  });

  it("shares members and join/leave events across relays", async () => {
    const alice = await connectClient(a.url, await a.token("alice", { ...claims, info: { name: "Alice" } }));
    const bob = await connectClient(b.url, await b.token("bob", claims));
    const joined = await alice.call("join", { room: "photo:1", presence: true });
    expect(joined.members).toEqual([
      { connectionId: alice.socket.id, userId: "alice", info: { name: "Alice" } },
    ]);
    const bobJoined = await bob.call("join", { room: "photo:1", presence: true });
    expect(bobJoined.members?.map((m) => m.userId).sort()).toEqual(["alice", "bob"]);
    const events = await alice.presence.waitFor(2);
    expect(events.map((e) => [e.action, e.userId, e.room])).toEqual([
      ["join", "alice", "photo:1"],
      ["join", "bob", "photo:1"],
    ]);
    const listed = await bob.call("presence", { room: "photo:1" });
    expect(listed.members).toHaveLength(2);
    await bob.call("leave", { room: "photo:1" });
    const [, , left] = await alice.presence.waitFor(3);
    expect(left).toMatchObject({ action: "leave", userId: "bob", connectionId: bob.socket.id });
    bob.close();
    alice.close();
    await expect.poll(async () => (await backend.presenceList("room:photo:1")).members.length).toBe(0);
  });

  it("announces the leave of a connection whose relay died", async () => {
    const watcher = await connectClient(a.url, await a.token("watcher", claims));
    await watcher.call("join", { room: "photo:2", presence: true });
    await backend.presenceAdd("room:photo:2", [{ connectionId: "ghost", userId: "ghost" }], 300);
    await expect
      .poll(() => watcher.presence.items.some((e) => e.action === "leave" && e.connectionId === "ghost"), {
        timeout: 5000,
      })
      .toBe(true);
    const { members } = await watcher.call("presence", { room: "photo:2" });
    expect(members.map((m) => m.userId)).toEqual(["watcher"]);
  });

  it("refuses presence of rooms the token may not join", async () => {
    const client = await connectClient(a.url, await a.token("u1", claims));
    expect(await client.request("presence", { room: "team:1" })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
  });
});
