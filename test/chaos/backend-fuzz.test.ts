/**
 * Hostile input to the backend library: `publish`, `publishToUser`, `publishToRoom` and
 * `broadcast` with fast-check data of every JavaScript kind (not only JSON: functions, symbols,
 * bigints, cycles, Maps, typed arrays, sparse arrays, boxed values, Dates, null prototypes,
 * objects whose `toJSON` returns something hostile), hostile types, names and options (id,
 * traceId, source). Each call resolves or rejects with a coded EventBusError; an audit connection
 * (PSUBSCRIBE *) checks that every message Redis carried is one a relay accepts — a complete,
 * valid envelope within the limits — with exactly the data that was published, and that a
 * rejected call carried nothing.
 */
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { decodeMessage } from "../../protocol/codec.js";
import { isEventBusError } from "../../protocol/errors.js";
import { createId } from "../../protocol/ids.js";
import { EventBusClient } from "../../relay/backend/client.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { eventually } from "../helpers/wait.js";
import { silentLogger } from "../integration/backend/silent-logger.js";
import { hostileString, hostileValue, nested } from "./support/hostile.js";
import { recordRow } from "./support/report.js";

let redis: RedisServer;
let backend: EventBusClient;
let audit: Redis;
const carried: { channel: string; message: string }[] = [];

beforeAll(async () => {
  redis = await startRedis();
  backend = new EventBusClient({ serviceName: "fuzz", redis: redis.url, logger: silentLogger });
  await backend.connect();
  audit = new Redis(redis.url, { lazyConnect: true });
  await audit.connect();
  audit.on("pmessage", (_p: string, channel: string, message: string) => carried.push({ channel, message }));
  await audit.psubscribe("*");
});

afterAll(async () => {
  audit?.disconnect();
  await backend?.disconnect();
  await redis?.stop();
});

/** Values a JSON-minded validator must not let through unchanged, and some it must. */
const jsHostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 4,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    stringUnit: "binary",
  }),
  hostileValue,
  fc
    .constantFrom<() => unknown>(
      () => () => 1,
      () => Symbol("s"),
      () => undefined,
      () => Number.NaN,
      () => [1, undefined, 2],
      () => {
        const cycle: Record<string, unknown> = { a: 1 };
        cycle.self = cycle;
        return cycle;
      },
      () => ({ toJSON: () => nested(100) }),
      () => ({ ok: { toJSON: () => nested(60) } }),
      () => ({ toJSON: () => undefined }),
      () => ({ toJSON: () => "x".repeat(600 * 1024) }),
      () => ({ toJSON: () => ({ fn: () => 1, n: 1 }) }),
      () => ({ toJSON: () => 10n }),
      () => ({
        toJSON: () => {
          throw new Error("toJSON failed");
        },
      }),
      () => new Date(0),
      () => "é".repeat(262_144),
      () => "x".repeat(524_288),
      () => "x".repeat(524_287),
    )
    .map((make) => make()),
);

type Method = "publish" | "user" | "room" | "broadcast";

interface Call {
  readonly method: Method;
  readonly target: string;
  readonly type: string;
  readonly data: unknown;
  readonly id: string;
  readonly traceId: string | undefined;
  readonly source: string | undefined;
}

const calls: fc.Arbitrary<Call> = fc.record({
  method: fc.constantFrom<Method>("publish", "user", "room", "broadcast"),
  target: fc.oneof(fc.constantFrom("u1", "photo:1"), hostileString),
  type: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("photo.uploaded", "a-b.c_d") }, hostileString),
  data: jsHostile,
  id: fc.oneof({ weight: 4, arbitrary: fc.constant("").map(() => createId()) }, hostileString),
  traceId: fc.option(hostileString, { nil: undefined }),
  source: fc.option(hostileString, { nil: undefined }),
});

function run(call: Call) {
  const options = {
    id: call.id,
    ...(call.traceId !== undefined && { traceId: call.traceId }),
    ...(call.source !== undefined && { source: call.source }),
  };
  switch (call.method) {
    case "publish":
      return backend.publish(call.type, call.data, options);
    case "user":
      return backend.publishToUser(call.target, call.type, call.data, options);
    case "room":
      return backend.publishToRoom(call.target, call.type, call.data, options);
    case "broadcast":
      return backend.broadcast(call.type, call.data, options);
  }
}

it("publish, publishToUser, publishToRoom, broadcast: coded rejection or a complete, valid event", async () => {
  const accepted = new Map<string, { channel: string; data: string }>();
  const problems: string[] = [];
  const codes = new Map<string, number>();
  let total = 0;
  await fc.assert(
    fc.asyncProperty(calls, async (call) => {
      total++;
      let expectedData: string | undefined;
      try {
        expectedData = JSON.stringify(call.data);
      } catch {
        expectedData = undefined; // cycles, bigints: must be refused
      }
      try {
        const result = await run(call);
        codes.set("ok", (codes.get("ok") ?? 0) + 1);
        accepted.set(result.id, { channel: result.channel, data: expectedData ?? "(unserialisable)" });
      } catch (error) {
        const code = isEventBusError(error) ? error.code : `uncoded ${String(error).slice(0, 60)}`;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (!isEventBusError(error)) problems.push(`${call.method}: ${code}`);
      }
    }),
    { numRuns: 1500, seed: 20_251_114 },
  );
  const sentinel = await backend.publish("fuzz.sentinel", {});
  await eventually(() => carried.some((c) => c.message.includes(sentinel.id)), { label: "sentinel carried" });
  let valid = 0;
  for (const { channel, message } of carried) {
    try {
      const { envelope } = decodeMessage(message);
      if (envelope.id === sentinel.id) continue;
      const mine = accepted.get(envelope.id);
      if (!mine) problems.push(`${channel}: carried ${envelope.id}, never accepted`);
      else if (mine.channel !== channel) problems.push(`${envelope.id} on ${channel}, not ${mine.channel}`);
      else if (JSON.stringify(envelope.data) !== mine.data) problems.push(`${envelope.id}: data differs`);
      else valid++;
    } catch (error) {
      problems.push(`${channel}: carried an event a relay drops (${String(error).slice(0, 120)})`);
    }
  }
  if (valid !== accepted.size) problems.push(`${accepted.size} accepted, ${valid} carried intact`);
  recordRow({
    scenario: "backend publish fuzzer (4 methods, any JS value)",
    runs: total,
    events: accepted.size,
    lost: 0,
    duplicated: 0,
    gaps: 0,
    maxMemoryMb: null,
    result: problems.length === 0 ? "pass" : "fail",
    notes: `${total} calls → ${[...codes].map(([c, n]) => `${c} ${n}`).join(", ")}; every carried message decoded as a relay would and matched its publish`,
  });
  expect([...new Set(problems.map((p) => p.replace(/[0-9a-f-]{36}/g, "<id>")))].slice(0, 10)).toEqual([]);
  expect(accepted.size).toBeGreaterThan(100);
});

it("data whose toJSON hides a non-JSON value is refused with INVALID_EVENT, nothing written", async () => {
  const before = carried.length;
  const hostile: [string, unknown][] = [
    ["toJSON returning 100 levels", { toJSON: () => nested(100) }],
    ["a nested toJSON returning 60 levels", { ok: { toJSON: () => nested(60) } }],
    ["toJSON returning undefined", { toJSON: () => undefined }],
    ["toJSON returning a bigint", { toJSON: () => 10n }],
    [
      "toJSON throwing",
      {
        toJSON: () => {
          throw new Error("toJSON failed");
        },
      },
    ],
  ];
  const outcomes = await Promise.all(
    hostile.map(([, data]) =>
      backend.publishToRoom("photo:1", "photo.uploaded", data).then(
        () => "ok",
        (error: unknown) => (isEventBusError(error) ? error.code : `uncoded: ${String(error)}`),
      ),
    ),
  );
  expect(outcomes.map((o, i) => `${hostile[i]?.[0]}: ${o}`)).toEqual(
    hostile.map(([name]) => `${name}: INVALID_EVENT`),
  );
  // Still accepted: a toJSON that yields plain JSON within the limits (Date, custom classes).
  const fine = await backend.publishToRoom("photo:1", "photo.uploaded", {
    at: new Date(0),
    v: { toJSON: () => [1] },
  });
  await eventually(() => carried.some((c) => c.message.includes(fine.id)), {
    label: "valid toJSON event carried",
  });
  expect(carried.slice(before).map((c) => decodeMessage(c.message).envelope.data)).toEqual([
    { at: "1970-01-01T00:00:00.000Z", v: [1] },
  ]);
});
