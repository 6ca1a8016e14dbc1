/**
 * The browser SDK given what the seed documents write: seed 001's `subscribe("photo:123", …)` (a
 * room's name, which never matches an event type) refused with INVALID_PATTERN pointing to
 * bus.room("photo:123"), invalid globs refused, and unknown option keys — createEventBus, publish,
 * joinRoom / room, a room's publish, a third argument to subscribe — refused with INVALID_OPTIONS
 * naming the key and the nearest valid one, before anything is created or sent.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBus, createEventBus } from "../../../client/create-event-bus.js";
import { resolveOptions, validateEventBusOptions } from "../../../client/options.js";
import type { EventBusOptions } from "../../../client/types.js";
import { type EventBusError, isEventBusError } from "../../../protocol/errors.js";
import { FakeRelay } from "../../helpers/client-fake-transport.js";

const buses: { close(): void }[] = [];
afterEach(() => {
  for (const bus of buses.splice(0)) bus.close();
});

function bus() {
  const relay = new FakeRelay();
  const created = createBus(
    resolveOptions({ url: "http://relay.test", token: "t", autoConnect: false }),
    relay.factory,
  );
  buses.push(created);
  return { bus: created, relay };
}

function failure(action: () => unknown): EventBusError {
  try {
    action();
  } catch (error) {
    if (isEventBusError(error)) return error;
    throw error;
  }
  throw new Error("expected an EventBusError");
}

async function rejection(promise: Promise<unknown>): Promise<EventBusError> {
  try {
    await promise;
  } catch (error) {
    if (isEventBusError(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection with an EventBusError");
}

describe("subscribe patterns", () => {
  it('seed 001\'s subscribe("photo:123", …) is refused, pointing to bus.room("photo:123")', () => {
    const { bus: b } = bus();
    const error = failure(() => b.subscribe("photo:123", () => {}));
    expect(error.code).toBe("INVALID_PATTERN");
    expect(error.message).toContain('":" never occurs in an event type');
    expect(error.hint).toContain('bus.room("photo:123").on("*", handler)');
    expect(failure(() => b.subscribe("room:lobby", () => {})).hint).toContain('bus.room("lobby")');
    expect(failure(() => b.subscribe("user:u1", () => {})).hint).toContain("arrive by themselves");
  });

  it("invalid globs are refused, valid ones accepted; a room handle's on() follows the same rule", () => {
    const { bus: b } = bus();
    expect(failure(() => b.subscribe("[abc", () => {})).code).toBe("INVALID_PATTERN");
    expect(() => b.subscribe("photo.processing.*", () => {})()).not.toThrow();
    const room = b.room("photo:123");
    expect(failure(() => room.on("photo:123", () => {})).code).toBe("INVALID_PATTERN");
    room.leave();
  });

  it("subscribe takes no options: a third argument is an error, not ignored", () => {
    const { bus: b } = bus();
    const error = failure(() =>
      (b.subscribe as (...args: unknown[]) => unknown)("photo.*", () => {}, { room: "x" }),
    );
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.hint).toContain("bus.room(name).on(pattern, handler)");
  });
});

describe("binary data", () => {
  it("a publish with bytes in data rejects with INVALID_EVENT and the base64-or-URL hint, queueing nothing", async () => {
    const { bus: b } = bus();
    const error = await rejection(
      b.publish("comment.added", { photo: new Uint8Array([1, 2]) }, { room: "photo:1" }),
    );
    expect(error.code).toBe("INVALID_EVENT");
    expect(error.hint).toMatch(/base64.*URL/);
    expect(b.store.getState().pending).toBe(0);
  });
});

describe("unknown options", () => {
  const base = { url: "http://relay.test", token: "t", autoConnect: false } as const;

  it.each([
    ["eventBusUrl", { eventBusUrl: "http://x" }, "`url`"],
    ["authToken", { authToken: "t" }, "getToken"],
    ["maxRetries", { maxRetries: 3 }, "reconnect: { minDelay, maxDelay }"],
    ["enableMetrics", { enableMetrics: true }, "bus.store"],
  ])(
    "createEventBus refuses seed key %s with what replaces it, creating nothing",
    (key, extra, replacement) => {
      const options = { ...base, ...extra } as unknown as EventBusOptions;
      const error = failure(() => createEventBus(options));
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.message).toContain(`createEventBus options: unknown option \`${key}\``);
      expect(error.hint).toContain(replacement);
      expect(failure(() => validateEventBusOptions(options)).message).toBe(error.message);
    },
  );

  it("typos name the nearest key, nested options too", () => {
    const top = failure(() => createEventBus({ ...base, getTokne: () => "t" } as never));
    expect(top.message).toContain("`getTokne` (did you mean `getToken`?)");
    const nested = failure(() => createEventBus({ ...base, outbox: { maxMesages: 5 } } as never));
    expect(nested.message).toContain("`outbox.maxMesages` (did you mean `outbox.maxMessages`?)");
  });

  it("publish, joinRoom, room and a room's publish refuse unknown keys", async () => {
    const { bus: b } = bus();
    const publish = await rejection(
      b.publish("comment.added", {}, { room: "photo:1", traceID: "t" } as never),
    );
    expect(publish.message).toContain("publish options: unknown option `traceID` (did you mean `traceId`?)");
    expect((await rejection(b.publish("comment.added", {}, {} as never))).message).toContain(
      "publish needs { room }",
    );
    const join = await rejection(b.joinRoom("photo:1", { presense: true } as never));
    expect(join.message).toContain("joinRoom options: unknown option `presense` (did you mean `presence`?)");
    expect(failure(() => b.room("photo:1", { presense: true } as never)).code).toBe("INVALID_OPTIONS");
    expect(b.store.getState().rooms["photo:1"]).toBeUndefined();
    const room = b.room("photo:2");
    const inRoom = await rejection(room.publish("comment.added", {}, { room: "photo:3" } as never));
    expect(inRoom.message).toContain("room.publish options: unknown option `room`");
    room.leave();
  });
});
