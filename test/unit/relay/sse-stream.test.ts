/**
 * One SSE stream's ordering (relay/edge/sse/sse-stream.ts), without HTTP: live messages that arrive
 * while a channel catches up wait and are de-duplicated by offset; a hole in live offsets reads
 * history; a new epoch is a `gap` followed by the new epoch from its first event. Real parts: the
 * memory broker and Recovery; the sink records what would be written to the response.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { decodeMessage, encodeEvent } from "../../../protocol/codec.js";
import type { StreamPosition } from "../../../protocol/position.js";
import { decodeSseId } from "../../../protocol/sse.js";
import type { VerifiedToken } from "../../../relay/auth/verify-token.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { Recovery } from "../../../relay/edge/delivery/recovery.js";
import { DEFAULT_RELAY_LIMITS } from "../../../relay/edge/options.js";
import { type SseSink, SseStream } from "../../../relay/edge/sse/sse-stream.js";

const CHANNEL = "room:r";
const counter = { inc: () => {} };
const token: VerifiedToken = {
  claims: { sub: "u" },
  userId: "u",
  roles: [],
  expiresAt: null,
  issuedAt: null,
};

let hub: MemoryHub;
let broker: MemoryBroker;

beforeEach(async () => {
  hub = new MemoryHub();
  broker = new MemoryBroker({ hub });
  await broker.connect();
});

afterEach(async () => {
  await broker.close();
});

interface Written {
  readonly event: string;
  readonly id: string;
  readonly data: string;
}

function recordingSink(): SseSink & { readonly events: Written[] } {
  const events: Written[] = [];
  return {
    events,
    write(chunk: string) {
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? "message";
      const id = /^id: (.*)$/m.exec(chunk)?.[1];
      const data = /^data: (.*)$/m.exec(chunk)?.[1];
      if (id !== undefined && data !== undefined) events.push({ event, id, data });
      return true;
    },
    end() {},
    destroy() {},
    writableLength: 0,
  };
}

function stream(sink: SseSink): SseStream {
  const recovery = new Recovery(broker, { recoveries: counter }, 4, 1 << 20);
  return new SseStream("c1", token, [CHANNEL], sink, {
    recovery,
    pacer: { room: async () => {} },
    limits: DEFAULT_RELAY_LIMITS,
    metrics: { messagesOut: counter, slowConsumers: counter, disconnects: counter },
    onClose: () => {},
  });
}

async function publish(i: number): Promise<{ raw: string; position: StreamPosition; id: string }> {
  const { json, envelope } = encodeEvent({ type: "t.x", data: { i }, source: "test" });
  const position = await broker.publishRecoverable(CHANNEL, json);
  const raw = (await broker.readHistory(CHANNEL, { ...position, offset: position.offset - 1 }, 1, 1 << 20))
    .messages[0] as string;
  return { raw, position, id: envelope.id };
}

/** Feeds the channel's live messages to the stream, as the hub does. */
async function live(target: SseStream): Promise<void> {
  await broker.subscribe(CHANNEL, (channel, raw) => {
    const { envelope, position } = decodeMessage(raw);
    target.live(channel, raw, position, envelope.id);
  });
}

const delivered = (sink: { events: Written[] }) =>
  sink.events.filter((e) => e.event === "message").map((e) => JSON.parse(e.data).message.data.i);

it("live messages arriving during the catch-up wait, and each event is written once, in order", async () => {
  for (let i = 0; i < 3; i++) await publish(i);
  const since = await broker.position(CHANNEL);
  for (let i = 3; i < 10; i++) await publish(i);
  const sink = recordingSink();
  const target = stream(sink);
  await live(target);
  const publishing = (async () => {
    for (let i = 10; i < 30; i++) await publish(i);
  })();
  await Promise.all([target.start({ [CHANNEL]: since }), publishing]);
  await expect.poll(() => delivered(sink).length).toBe(27);
  expect(delivered(sink)).toEqual(Array.from({ length: 27 }, (_, k) => k + 3));
  const last = sink.events.at(-1);
  expect(decodeSseId(last?.id ?? "")[CHANNEL]?.offset).toBe(30);
});

it("a hole in live offsets reads the missing events from history", async () => {
  const sink = recordingSink();
  const target = stream(sink);
  await target.start({});
  await publish(0);
  await publish(1);
  const third = await publish(2); // none of them was live: the stream learns of them from the third
  target.live(CHANNEL, third.raw, third.position, third.id);
  await expect.poll(() => delivered(sink)).toEqual([0, 1, 2]);
});

it("a new epoch is a gap, then the new epoch from its first event", async () => {
  await publish(0);
  await publish(1);
  const since = await broker.position(CHANNEL);
  hub.flush(); // the history is gone (a Redis restarted empty)
  for (let i = 100; i < 103; i++) await publish(i);
  const sink = recordingSink();
  await stream(sink).start({ [CHANNEL]: since });
  expect(sink.events.map((e) => e.event)).toEqual(["gap", "message", "message", "message", "ready"]);
  expect(JSON.parse(sink.events[0]?.data ?? "{}")).toMatchObject({
    channel: CHANNEL,
    position: { offset: 0 },
  });
  expect(delivered(sink)).toEqual([100, 101, 102]);
});
