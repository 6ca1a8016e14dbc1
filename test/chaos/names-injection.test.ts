/**
 * Hostile names: room names, user ids and event types that try to act as globs (`*`, `?`, `[`),
 * hash tags (`{`), paths (`..`), control characters, 10 KB names, or another channel kind
 * (`room:x` smuggled as `user:…`, the deployment prefix inside a name). Checked against an oracle
 * written from the documented contract (README "Channels"), on a relay and a backend sharing the
 * prefix `app1:` over a real Redis that an audit connection watches with PSUBSCRIBE:
 *   - a join or a publish succeeds exactly when the oracle says the name is valid;
 *   - when it succeeds it reaches exactly the channel of its kind, never a pattern, never another;
 *   - a socket in room `user:bob` never receives bob's private events.
 */
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createId } from "../../protocol/ids.js";
import { EventBusClient } from "../../relay/backend/client.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { closeAllClients, connectClient, type TestClient } from "../helpers/relay-client.js";
import { startTestRelay, type TestRelay } from "../helpers/relay-server.js";
import { eventually } from "../helpers/wait.js";
import { silentLogger } from "../integration/backend/silent-logger.js";
import { hostileString, SPECIAL_STRINGS } from "./support/hostile.js";
import { recordRow } from "./support/report.js";

const PREFIX = "app1:";
/** The documented contract, written independently of protocol/names.ts. */
const NAME_CHARS = /^[A-Za-z0-9_\-.:@=+|/]+$/;
const oracle = {
  name: (value: string) => value.length >= 1 && value.length <= 128 && NAME_CHARS.test(value),
  type: (value: string) =>
    value.length <= 128 && /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(value) && value !== "broadcast",
};

let redis: RedisServer;
let server: TestRelay;
let backend: EventBusClient;
let audit: Redis;
const carried: { channel: string; id: string }[] = [];
const tally = { names: 0, accepted: 0, refused: 0, escapes: 0 };

beforeAll(async () => {
  redis = await startRedis();
  server = await startTestRelay({
    broker: { broker: "redis", url: redis.url },
    prefix: PREFIX,
    limits: { ratePerSecond: 1_000_000, rateBurst: 1_000_000, floodTolerance: 1_000_000 },
  });
  backend = new EventBusClient({
    serviceName: "names",
    redis: redis.url,
    prefix: PREFIX,
    logger: silentLogger,
  });
  await backend.connect();
  audit = new Redis(redis.url, { lazyConnect: true });
  await audit.connect();
  audit.on("pmessage", (_p: string, channel: string, message: string) => {
    const parsed = JSON.parse(message) as { id?: unknown };
    carried.push({ channel, id: String(parsed.id) });
  });
  await audit.psubscribe("*");
});

afterAll(async () => {
  closeAllClients();
  audit?.disconnect();
  await backend?.disconnect();
  await server?.close();
  await redis?.stop();
  recordRow({
    scenario: "name injection (rooms, users, types; prefix app1:)",
    runs: tally.names,
    events: tally.accepted,
    lost: 0,
    duplicated: 0,
    gaps: 0,
    maxMemoryMb: null,
    result: tally.escapes === 0 ? "pass" : "fail",
    notes: `${tally.names} names through join and the four backend publish methods: ${tally.accepted} accepted, ${tally.refused} refused with INVALID_*; ${tally.escapes} reached a channel other than their own; no pattern subscription ever`,
  });
});

const names = fc.oneof(
  hostileString,
  fc.constantFrom(...SPECIAL_STRINGS),
  fc.constantFrom(
    "user:bob",
    "app1:user:bob",
    "room:x",
    "app1:room:x",
    "x/../secret:1",
    "photo:1*",
    "photo:?",
    "photo:[1]",
    "a\\*b",
    "{user:bob}",
    "bob\u0000",
    "bob\nPUBLISH x y",
    "x".repeat(128),
    "x".repeat(10 * 1024),
  ),
);

describe("names against the contract", () => {
  it("join succeeds exactly for valid room names, and subscribes exactly their channel", async () => {
    const client = await connectClient(server.url, await server.token("alice", { rooms: ["*"] }));
    await client.call("hello", {});
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(names, async (room) => {
        tally.names++;
        const reply = await client.request("join", { room });
        const valid = oracle.name(room);
        if (reply.ok !== valid) problems.push(`join ${JSON.stringify(room.slice(0, 40))}: ok=${reply.ok}`);
        if (!reply.ok) {
          tally.refused++;
          if (reply.error.code !== "INVALID_ROOM") problems.push(`join refused with ${reply.error.code}`);
          return;
        }
        tally.accepted++;
        const channel = `${PREFIX}room:${room}`;
        if (reply.result.channel !== channel) {
          tally.escapes++;
          problems.push(`join ${room} → ${reply.result.channel}`);
        }
        const subscribed = server.broker.subscriptions();
        if (subscribed.patterns.length > 0 || !subscribed.channels.includes(channel)) {
          tally.escapes++;
          problems.push(`join ${room}: broker holds ${JSON.stringify(subscribed).slice(0, 200)}`);
        }
        await client.call("leave", { room });
      }),
      {
        numRuns: 400,
        seed: 20_251_112,
        examples: [[""], ["*"], ["x".repeat(128)], ["x".repeat(129)], ["user:bob"], ["a\u0000"], ["{x}"]],
      },
    );
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it("backend publishes succeed exactly for valid names and reach exactly their channel", async () => {
    type Method = "user" | "room" | "type" | "broadcast";
    const expected = new Map<string, string>();
    const refusedIds = new Set<string>();
    const problems: string[] = [];
    const publish = fc.tuple(fc.constantFrom<Method>("user", "room", "type", "broadcast"), names);
    await fc.assert(
      fc.asyncProperty(publish, async ([method, name]) => {
        tally.names++;
        const id = createId();
        const valid = method === "user" || method === "room" ? oracle.name(name) : oracle.type(name);
        const channel =
          method === "user"
            ? `${PREFIX}user:${name}`
            : method === "room"
              ? `${PREFIX}room:${name}`
              : method === "type"
                ? `${PREFIX}${name}`
                : `${PREFIX}broadcast`;
        const sending =
          method === "user"
            ? backend.publishToUser(name, "names.test", { name }, { id })
            : method === "room"
              ? backend.publishToRoom(name, "names.test", { name }, { id })
              : method === "type"
                ? backend.publish(name, { name }, { id })
                : backend.broadcast(name, { name }, { id });
        const outcome = await sending.then(
          (result) => ({ ok: true as const, channel: result.channel }),
          (error: unknown) => ({ ok: false as const, code: (error as { code?: string }).code }),
        );
        if (outcome.ok !== valid)
          problems.push(`${method} ${JSON.stringify(name.slice(0, 40))}: ok=${outcome.ok}`);
        if (!outcome.ok) {
          tally.refused++;
          refusedIds.add(id);
          if (!["INVALID_USER", "INVALID_ROOM", "INVALID_TYPE"].includes(outcome.code ?? "")) {
            problems.push(`${method} refused with ${outcome.code}`);
          }
          return;
        }
        tally.accepted++;
        expected.set(id, channel);
        if (outcome.channel !== channel) problems.push(`${method} ${name} → ${outcome.channel}`);
      }),
      {
        numRuns: 600,
        seed: 20_251_113,
        examples: [
          [["user", ""]],
          [["room", "x".repeat(129)]],
          [["type", "broadcast"]],
          [["type", "user:bob"]],
          [["type", "$presence.join"]],
          [["broadcast", "photo.*"]],
          [["user", "bob*"]],
        ],
      },
    );
    // A sentinel from the same connection arrives after everything published before it.
    const sentinel = await backend.publish("names.sentinel", {});
    await eventually(() => carried.some((c) => c.id === sentinel.id), { label: "sentinel carried" });
    for (const { channel, id } of carried) {
      if (refusedIds.has(id)) problems.push(`refused ${id} was carried on ${channel}`);
      const want = expected.get(id);
      if (want !== undefined && want !== channel) {
        tally.escapes++;
        problems.push(`${id} expected on ${want}, carried on ${channel}`);
      }
    }
    for (const [id, channel] of expected) {
      if (!carried.some((c) => c.id === id)) problems.push(`${id} for ${channel} never carried`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it("Redis only ever holds channels of the documented shapes", async () => {
    const reader = audit.duplicate();
    await reader.connect().catch(() => {});
    try {
      const channels = (await reader.call("PUBSUB", "CHANNELS")) as string[];
      const shape = /^app1:(?:(?:room|user|role):[A-Za-z0-9_\-.:@=+|/]{1,128}|broadcast)$/;
      expect(channels.filter((c) => !shape.test(c))).toEqual([]);
      expect(Number(await reader.call("PUBSUB", "NUMPAT"))).toBe(1); // the audit connection's own "*"
    } finally {
      reader.disconnect();
    }
  });
});

describe("channel-kind smuggling", () => {
  let alice: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    alice = await connectClient(server.url, await server.token("alice", { rooms: ["*"] }));
    bob = await connectClient(server.url, await server.token("bob", { rooms: ["photo:*"] }));
    await alice.call("hello", {});
    await bob.call("hello", {});
  });

  it("room `user:bob` is a room: its members never get bob's private events", async () => {
    const joined = await alice.call("join", { room: "user:bob" });
    expect(joined.channel).toBe(`${PREFIX}room:user:bob`);
    await alice.call("join", { room: "app1:user:bob" });
    const before = alice.messages.items.length;
    const secret = await backend.publishToUser("bob", "private.note", { text: "for bob only" });
    const [mine] = await bob.messages.waitFor(bob.messages.items.length + 1);
    expect(mine?.message.id).toBe(secret.id);
    const marker = await backend.publishToRoom("user:bob", "room.note", {});
    await alice.messages.waitFor(before + 1);
    expect(alice.messages.items.slice(before).map((m) => m.message.id)).toEqual([marker.id]);
  });

  it("history of channels one does not hold, or that are not channels, is refused", async () => {
    const asks: [string, string][] = [
      [`${PREFIX}user:bob`, "FORBIDDEN"],
      [`${PREFIX}role:admin`, "FORBIDDEN"],
      [`${PREFIX}room:secret:1`, "FORBIDDEN"],
      ["user:alice", "INVALID_CHANNEL"],
      [`${PREFIX}room:*`, "INVALID_CHANNEL"],
      [`{${PREFIX}user:bob}:history`, "INVALID_CHANNEL"],
      [`${PREFIX}user:bob\u0000`, "INVALID_CHANNEL"],
      [`${PREFIX}photo.uploaded`, "INVALID_CHANNEL"],
    ];
    const replies = await Promise.all(
      asks.map(([channel]) => alice.request("history", { channel, since: { offset: 0, epoch: "e0" } })),
    );
    expect(replies.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(asks.map(([, code]) => code));
  });

  it("a room claim glob cannot be stretched by path-like names into another room", async () => {
    expect(await bob.request("join", { room: "photo:*" })).toMatchObject({ error: { code: "INVALID_ROOM" } });
    expect(await bob.request("join", { room: "secret:1" })).toMatchObject({ error: { code: "FORBIDDEN" } });
    const sneaky = await bob.call("join", { room: "photo:x/../../secret:1" });
    expect(sneaky.channel).toBe(`${PREFIX}room:photo:x/../../secret:1`);
    const before = bob.messages.items.length;
    await backend.publishToRoom("secret:1", "secret.note", {});
    const marker = await backend.publishToRoom("photo:x/../../secret:1", "room.note", {});
    await bob.messages.waitFor(before + 1);
    expect(bob.messages.items.slice(before).map((m) => m.message.id)).toEqual([marker.id]);
  });
});
