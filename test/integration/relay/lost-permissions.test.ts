/**
 * Issue 13, item 4: a permission lost at a token refresh takes effect at once. Before the fix, a
 * socket whose refreshed token dropped the `admin` role and the `team:secret` room kept receiving
 * `role:admin` and the room (its `hello` even said `roles: []`), and `history` on them was still
 * served, for as long as the socket lived. Now every accepted `auth` frame recomputes the socket's
 * own channels (`removed` in the answer), re-checks each joined room against the claims and the
 * authorize hook (a `left` frame coded FORBIDDEN for each room dropped), and history is checked
 * against the current claims; the SDK marks the room `forbidden` and does not join it again.
 * "At once" is bounded by a sentinel: an event on the user channel published after the others.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { DeliveredEvent } from "../../../client/router.js";
import type { WireError } from "../../../protocol/errors.js";
import { type LeftEvent, RELAY_FRAMES } from "../../../protocol/frames.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { closeAllBuses, collect, statusReached, testBus } from "../../helpers/client-bus.js";
import { connectBackend, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient, type TestClient } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { collector, eventually } from "../../helpers/wait.js";

const ADMIN = { roles: ["admin"], rooms: ["team:*"] };
const DEMOTED = { roles: [] as string[], rooms: ["team:public"] };

describe("lost permissions, on Redis", () => {
  const fixture = useBrokerFixture("redis");
  let server: TestRelay | undefined;
  let backend: Broker | undefined;

  afterEach(async () => {
    closeAllClients();
    closeAllBuses();
    await backend?.close();
    await server?.close();
  });

  async function start(options: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
    server = await startTestRelay({ broker: fixture.current.config(), ...options });
    backend = await connectBackend(fixture.current);
    return server;
  }

  /** Publishes the secret events, then a sentinel on the user channel; resolves once it arrived. */
  async function publishThenSentinel(broker: Broker, arrived: () => boolean, tag: string): Promise<void> {
    await publishEvent(broker, "role:admin", "admin.payroll", { tag });
    await publishEvent(broker, "room:team:secret", "memo.secret", { tag });
    await publishEvent(broker, "room:team:public", "memo.public", { tag });
    await publishEvent(broker, "user:u1", "sentinel.done", { tag });
    await eventually(arrived, { label: `the sentinel ${tag}` });
  }

  const typesTagged = (client: TestClient, tag: string) =>
    client.messages.items
      .filter((m) => (m.message.data as { tag?: string }).tag === tag)
      .map((m) => m.message.type)
      .sort();

  it("raw protocol: the role channel and the room stop at once, left FORBIDDEN, no history", async () => {
    const relay = await start();
    const client = await connectClient(relay.url, await relay.token("u1", ADMIN));
    const left = collector<LeftEvent>("left frames");
    client.socket.on(RELAY_FRAMES.left, (event: LeftEvent) => left.push(event));
    const hello = await client.call("hello", {});
    expect(hello.channels.map((c) => c.channel)).toContain("role:admin");
    const secret = await client.call("join", { room: "team:secret" });
    await client.call("join", { room: "team:public" });
    const sentinel = (tag: string) => () => typesTagged(client, tag).includes("sentinel.done");
    await publishThenSentinel(relay.broker, sentinel("before"), "before");
    expect(typesTagged(client, "before")).toEqual([
      "admin.payroll",
      "memo.public",
      "memo.secret",
      "sentinel.done",
    ]);

    const refreshed = await client.call("auth", { token: await relay.token("u1", DEMOTED) });
    await publishThenSentinel(relay.broker, sentinel("after"), "after");
    expect(typesTagged(client, "after")).toEqual(["memo.public", "sentinel.done"]);
    expect(refreshed.removed).toEqual(["role:admin"]);
    await left.waitFor(1);
    expect(left.items).toEqual([
      { room: "team:secret", error: expect.objectContaining({ code: "FORBIDDEN" }) },
    ]);
    const since = { offset: 0, epoch: secret.position.epoch };
    const histories = await Promise.all([
      client.request("history", {
        channel: "role:admin",
        since: { offset: 0, epoch: hello.channels[0]?.position.epoch ?? "" },
      }),
      client.request("history", { channel: "room:team:secret", since }),
    ]);
    expect(histories.map((h) => (h.ok ? "ok" : h.error.code))).toEqual(["FORBIDDEN", "FORBIDDEN"]);
    const again = await client.call("hello", {});
    expect(again.roles).toEqual([]);
    expect(again.channels.map((c) => c.channel)).not.toContain("role:admin");
    const rejoin = await client.request("join", { room: "team:secret" });
    expect(rejoin).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
  });

  it("the authorize hook is asked again: a room it no longer allows is left at the refresh", async () => {
    const revoked = new Set<string>();
    const relay = await start({
      authorize: async (_user, _action, room, allowed) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return allowed && !revoked.has(room);
      },
    });
    const client = await connectClient(relay.url, await relay.token("u1", ADMIN));
    const left = collector<LeftEvent>("left frames");
    client.socket.on(RELAY_FRAMES.left, (event: LeftEvent) => left.push(event));
    await client.call("hello", {});
    await client.call("join", { room: "team:secret" });
    await client.call("join", { room: "team:public" });
    revoked.add("team:secret");
    await client.call("auth", { token: await relay.token("u1", ADMIN) });
    await publishThenSentinel(relay.broker, () => typesTagged(client, "x").includes("sentinel.done"), "x");
    expect(typesTagged(client, "x")).toEqual(["admin.payroll", "memo.public", "sentinel.done"]); // role kept
    await left.waitFor(1);
    expect(left.items.map((event) => event.room)).toEqual(["team:secret"]);
  });

  it("SDK: a demoted user stops receiving at once, the room shows forbidden and stays left after a reconnect", async () => {
    const relay = await start();
    let demoted = false;
    const bus = testBus(relay.url, () => relay.token("u1", { ...(demoted ? DEMOTED : ADMIN), ttl: 2 }));
    const errors: WireError[] = [];
    bus.on("error", (error) => errors.push(error.toWire()));
    const events = collect(bus, "*");
    const tagged = (tag: string) =>
      events.items
        .filter((e: DeliveredEvent) => (e.data as { tag?: string }).tag === tag)
        .map((e) => e.type)
        .sort();
    const arrived = (tag: string) => () => tagged(tag).includes("sentinel.done");
    await bus.joinRoom("team:secret");
    await bus.joinRoom("team:public");
    await publishThenSentinel(relay.broker, arrived("before"), "before");
    expect(tagged("before")).toEqual(["admin.payroll", "memo.public", "memo.secret", "sentinel.done"]);

    demoted = true; // the SDK refreshes in-band at 80 % of the token's 2 s lifetime
    const sessions = () => [...relay.relay.io.sockets.sockets.values()].map((s) => s.data.session);
    await eventually(() => sessions().length === 1 && sessions().every((s) => s.token.roles.length === 0), {
      label: "the relay accepted the demoted token",
    });
    await publishThenSentinel(relay.broker, arrived("after"), "after");
    expect(tagged("after")).toEqual(["memo.public", "sentinel.done"]);
    await eventually(() => bus.store.getState().rooms["team:secret"]?.status === "forbidden", {
      label: "team:secret forbidden in the store",
    });
    expect(bus.store.getState().rooms["team:secret"]?.error?.code).toBe("FORBIDDEN");
    expect(errors.map((e) => e.code)).toContain("FORBIDDEN");

    bus.disconnect();
    bus.connect();
    await statusReached(bus, "connected");
    await eventually(() => bus.store.getState().rooms["team:public"]?.status === "joined", {
      label: "team:public joined again",
    });
    await publishThenSentinel(relay.broker, arrived("reconnected"), "reconnected");
    expect(tagged("reconnected")).toEqual(["memo.public", "sentinel.done"]);
    expect(bus.store.getState().rooms["team:secret"]?.status).toBe("forbidden");
    expect(sessions().flatMap((s) => [...s.rooms.keys()])).toEqual(["team:public"]);
  });
});
