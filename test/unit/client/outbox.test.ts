/** The outbox with a manual clock and a scripted `request`: order, acks, retries, bounds, storage. */
import { describe, expect, it, vi } from "vitest";
import { Outbox } from "../../../client/outbox.js";
import { DEFAULT_OUTBOX, type OutboxOptions, type PublishAck } from "../../../client/outbox-options.js";
import { memoryOutbox, type OutboxRecord, type OutboxStorage } from "../../../client/outbox-storage.js";
import type { RequestFn } from "../../../client/transport.js";
import { type ErrorCode, EventBusError, isEventBusError } from "../../../protocol/errors.js";
import { DEFAULT_LIMITS } from "../../../protocol/limits.js";
import { flush, ManualClock } from "../../helpers/client-clock.js";

interface Call {
  readonly payload: { id: string; type: string; data: unknown; room: string };
  resolve(offset?: number): void;
  fail(code: ErrorCode): void;
}

function setup(
  options: Partial<OutboxOptions> = {},
  roomReady: (room: string) => Promise<void> = async () => {},
) {
  const clock = new ManualClock();
  const calls: Call[] = [];
  let offset = 0;
  const request = ((frame: string, payload: Call["payload"]) =>
    new Promise<unknown>((resolve, reject) => {
      expect(frame).toBe("publish");
      calls.push({
        payload,
        resolve: (o = ++offset) => resolve({ id: payload.id, offset: o, epoch: "e", duplicate: false }),
        fail: (code) => reject(new EventBusError(code)),
      });
    })) as unknown as RequestFn;
  const errors: EventBusError[] = [];
  const pending: number[] = [];
  const outbox = new Outbox({
    options: { ...DEFAULT_OUTBOX, ...options },
    clock,
    retryDelay: (attempt) => 100 * 2 ** attempt,
    limits: () => DEFAULT_LIMITS,
    onPending: (n) => pending.push(n),
    roomReady,
    onError: (e) => errors.push(e),
  });
  const publish = (i: number, room = "photo:1") => outbox.add({ type: "comment.added", data: { i }, room });
  return { clock, calls, request, outbox, publish, errors, pending };
}

/** Answers every publish as it comes, until `count` were answered. */
async function ackAll(s: ReturnType<typeof setup>, count: number) {
  for (let answered = 0; answered < count; ) {
    await flush();
    const call = s.calls[answered];
    if (!call) throw new Error(`only ${s.calls.length} publishes were sent`);
    call.resolve();
    answered++;
  }
  await flush();
}

describe("Outbox", () => {
  it("sends nothing while disconnected, then everything in order, one at a time", async () => {
    const s = setup();
    const acks = [0, 1, 2].map((i) => s.publish(i));
    await flush();
    expect(s.calls).toHaveLength(0);
    s.outbox.start(s.request);
    await flush();
    expect(s.calls).toHaveLength(1);
    await ackAll(s, 3);
    expect(s.calls.map((c) => (c.payload.data as { i: number }).i)).toEqual([0, 1, 2]);
    const results = await Promise.all(acks);
    expect(results.map((r: PublishAck) => r.offset)).toEqual([1, 2, 3]);
    expect(s.pending.at(-1)).toBe(0);
  });

  it("holds a publish until its room's rejoin has settled, so the sender sees its own event", async () => {
    let joined = () => {};
    const gate = new Promise<void>((resolve) => {
      joined = resolve;
    });
    const s = setup({}, (room) => (room === "photo:1" ? gate : Promise.resolve()));
    s.outbox.start(s.request);
    const ack = s.publish(0);
    await flush();
    expect(s.calls).toHaveLength(0);
    joined();
    await ackAll(s, 1);
    expect((await ack).offset).toBe(1);
  });

  it("validates locally: bad type, bad room and non-JSON data reject at once and are never queued", async () => {
    const s = setup();
    await expect(s.outbox.add({ type: "Bad Type", data: {}, room: "r" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "INVALID_TYPE"),
    );
    await expect(s.outbox.add({ type: "a.b", data: {}, room: "no spaces" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "INVALID_ROOM"),
    );
    await expect(s.outbox.add({ type: "a.b", data: { f: () => 1 }, room: "r" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "INVALID_EVENT"),
    );
    await expect(s.outbox.add({ type: "a.b", data: "x".repeat(600_000), room: "r" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "TOO_LARGE"),
    );
    expect(s.outbox.size).toBe(0);
  });

  it("retries retryable errors with backoff (same id), rejects non-retryable ones and moves on", async () => {
    const s = setup();
    s.outbox.start(s.request);
    const first = s.publish(0);
    const second = s.publish(1);
    await flush();
    s.calls[0]?.fail("RATE_LIMITED");
    await s.clock.advance(99);
    expect(s.calls).toHaveLength(1);
    await s.clock.advance(1);
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1]?.payload.id).toBe(s.calls[0]?.payload.id);
    s.calls[1]?.fail("TIMEOUT");
    await s.clock.advance(200);
    s.calls[2]?.fail("FORBIDDEN");
    await expect(first).rejects.toSatisfy((e) => isEventBusError(e, "FORBIDDEN"));
    await flush();
    s.calls[3]?.resolve();
    expect((await second).offset).toBe(1);
    expect(s.calls.map((c) => (c.payload.data as { i: number }).i)).toEqual([0, 0, 0, 1]);
  });

  it("a connection lost mid-flight sends the same message (same id) again on the next start", async () => {
    const s = setup();
    s.outbox.start(s.request);
    const ack = s.publish(0);
    await flush();
    s.outbox.stop();
    s.calls[0]?.fail("NOT_CONNECTED");
    await flush();
    expect(s.calls).toHaveLength(1);
    s.outbox.start(s.request);
    await flush();
    expect(s.calls[1]?.payload.id).toBe(s.calls[0]?.payload.id);
    s.calls[1]?.resolve(7);
    expect((await ack).offset).toBe(7);
  });

  it("reject-new: the new publish is refused with OUTBOX_FULL (count and bytes)", async () => {
    const s = setup({ maxMessages: 2 });
    const kept = [s.publish(0), s.publish(1)];
    await expect(s.publish(2)).rejects.toSatisfy((e) => isEventBusError(e, "OUTBOX_FULL"));
    const b = setup({ maxBytes: 60 });
    const fits = b.outbox.add({ type: "a.b", data: "x".repeat(30), room: "r" });
    await expect(b.outbox.add({ type: "a.b", data: "x".repeat(30), room: "r" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "OUTBOX_FULL"),
    );
    await expect(b.outbox.add({ type: "a.b", data: "x".repeat(100), room: "r" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "OUTBOX_FULL"),
    );
    expect(s.outbox.size).toBe(2);
    s.outbox.close();
    b.outbox.close();
    await Promise.allSettled([...kept, fits]);
  });

  it("drop-oldest: the oldest waiting publish is rejected with OUTBOX_FULL, never the one in flight", async () => {
    const s = setup({ maxMessages: 2, overflow: "drop-oldest" });
    s.outbox.start(s.request);
    const inFlight = s.publish(0);
    await flush();
    const waiting = s.publish(1);
    const newest = s.publish(2);
    await expect(waiting).rejects.toSatisfy((e) => isEventBusError(e, "OUTBOX_FULL"));
    await ackAll(s, 2);
    expect((await inFlight).offset).toBe(1);
    expect((await newest).offset).toBe(2);
  });

  it("a publish waiting longer than maxAge is rejected with OUTBOX_EXPIRED, even while offline", async () => {
    const s = setup({ maxAge: 5000 });
    const old = s.publish(0);
    await s.clock.advance(3000);
    const young = s.publish(1);
    await s.clock.advance(2000);
    await expect(old).rejects.toSatisfy((e) => isEventBusError(e, "OUTBOX_EXPIRED"));
    expect(s.outbox.size).toBe(1);
    s.outbox.start(s.request);
    await ackAll(s, 1);
    await expect(young).resolves.toMatchObject({ offset: 1 });
  });

  it("persists: entries are stored until acknowledged; a new outbox restores them first, in id order", async () => {
    const storage = memoryOutbox();
    const first = setup({ storage });
    const acks = [0, 1, 2].map((i) => first.publish(i));
    await flush();
    expect(await storage.load()).toHaveLength(3);
    first.outbox.close();
    await Promise.allSettled(acks);
    expect(await storage.load()).toHaveLength(3);

    const second = setup({ storage });
    const later = second.publish(3);
    second.outbox.start(second.request);
    await ackAll(second, 4);
    expect(second.calls.map((c) => (c.payload.data as { i: number }).i)).toEqual([0, 1, 2, 3]);
    expect(await later).toMatchObject({ offset: 4 });
    expect(await storage.load()).toEqual([]);
  });

  it("reports failures of restored publishes (their promise belonged to the previous page)", async () => {
    const storage = memoryOutbox();
    await storage.add({
      id: "0190a0b0-0000-7000-8000-000000000001",
      type: "a.b",
      room: "r",
      data: "{}",
      createdAt: Date.now(),
    } satisfies OutboxRecord);
    const s = setup({ storage });
    s.outbox.start(s.request);
    await flush();
    s.calls[0]?.fail("FORBIDDEN");
    await flush();
    expect(s.errors.map((e) => [e.code, e.details])).toEqual([
      ["FORBIDDEN", { id: "0190a0b0-0000-7000-8000-000000000001" }],
    ]);
  });

  it("a failing storage is reported, and the publish still goes out", async () => {
    const broken: OutboxStorage = {
      load: async () => [],
      add: vi.fn(async () => {
        throw new Error("QuotaExceededError");
      }),
      remove: async () => {},
    };
    const s = setup({ storage: broken });
    s.outbox.start(s.request);
    const ack = s.publish(0);
    await ackAll(s, 1);
    await expect(ack).resolves.toMatchObject({ offset: 1 });
    expect(s.errors[0]?.message).toContain("QuotaExceededError");
  });

  it("close() rejects every waiting publish with CLOSED, and later publishes too", async () => {
    const s = setup();
    const a = s.publish(0);
    s.outbox.close();
    await expect(a).rejects.toSatisfy((e) => isEventBusError(e, "CLOSED"));
    await expect(s.publish(1)).rejects.toSatisfy((e) => isEventBusError(e, "CLOSED"));
  });
});
