/**
 * EventBusClient on the memory broker with fake time: retries with exponential backoff, the
 * dead letter after the last attempt, replay, timeouts, and that one handler's trouble never
 * reaches another.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventBusClient } from "../../../relay/backend/client.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { silentLogger } from "../../integration/backend/silent-logger.js";

let hub: MemoryHub;
const clients: EventBusClient[] = [];
const client = (config: Partial<ConstructorParameters<typeof EventBusClient>[0]> = {}) => {
  const bus = new EventBusClient({
    serviceName: "svc",
    broker: new MemoryBroker({ hub }),
    logger: silentLogger,
    ...config,
  });
  clients.push(bus);
  return bus;
};

beforeEach(() => {
  vi.useFakeTimers();
  hub = new MemoryHub();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  vi.useRealTimers();
});

describe("EventBusClient retries and dead letters (fake time)", () => {
  it("retries after 1 s, 2 s, 4 s, then dead-letters the event; replay runs the handler again", async () => {
    const bus = client();
    const attemptsAt: number[] = [];
    const start = Date.now();
    let healthy = false;
    const calm: string[] = [];
    await bus.subscribe(
      "photo.uploaded",
      () => {
        attemptsAt.push(Date.now() - start);
        if (!healthy) throw new Error("storage offline");
      },
      { name: "thumbnailer" },
    );
    await bus.subscribe("photo.uploaded", (e) => {
      calm.push(e.id);
    });
    const sent = await bus.publish("photo.uploaded", { photoId: "p1" });
    await vi.advanceTimersByTimeAsync(0);
    expect(calm).toEqual([sent.id]);
    await vi.advanceTimersByTimeAsync(6999);
    expect(attemptsAt).toEqual([0, 1000, 3000]);
    expect(await bus.deadLetters.list()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attemptsAt).toEqual([0, 1000, 3000, 7000]);

    const [letter] = await bus.deadLetters.list();
    expect(letter).toMatchObject({
      subscriptionId: "thumbnailer",
      pattern: "photo.uploaded",
      channel: "photo.uploaded",
      attempts: 4,
      error: { message: "storage offline" },
      event: { id: sent.id, type: "photo.uploaded", data: { photoId: "p1" } },
    });
    const stats = await bus.getStats();
    expect([stats.eventsReceived, stats.eventsDelivered, stats.eventsFailed]).toEqual([1, 1, 1]);

    healthy = true;
    const replayed = await bus.deadLetters.replay(letter?.id ?? "");
    expect(replayed).toMatchObject({ handlers: 1, succeeded: 1, removed: true });
    expect(attemptsAt).toHaveLength(5);
    expect(calm).toHaveLength(1); // replay went to the failed subscription only
    await expect(bus.deadLetters.replay(letter?.id ?? "")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("times out a hanging handler per attempt and dead-letters it with HANDLER_TIMEOUT", async () => {
    const bus = client({ timeout: 5000, retry: { maxRetries: 1 } });
    await bus.subscribe("job.run", () => new Promise(() => {}));
    await bus.publish("job.run", null);
    await vi.advanceTimersByTimeAsync(5000 + 1000 + 4999);
    expect(await bus.deadLetters.list()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const letters = await bus.deadLetters.list();
    expect(letters.map((l) => [l.error.code, l.attempts])).toEqual([["HANDLER_TIMEOUT", 2]]);
  });

  it("keeps a failed replay in the dead-letter stream, and needs a live subscription to replay", async () => {
    const bus = client({ retry: { maxRetries: 0 } });
    const sub = await bus.subscribe("job.run", () => {
      throw new Error("still broken");
    });
    await bus.publish("job.run", { n: 1 });
    await vi.advanceTimersByTimeAsync(0);
    const [letter] = await bus.deadLetters.list();
    const id = letter?.id ?? "";
    expect(await bus.deadLetters.replay(id)).toMatchObject({ handlers: 1, succeeded: 0, removed: false });
    await sub.unsubscribe();
    await expect(bus.deadLetters.replay(id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await bus.deadLetters.purge([id])).toBe(1);
    expect(await bus.deadLetters.list()).toEqual([]);
  });
});
