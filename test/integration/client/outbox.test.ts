/**
 * The offline outbox against a real relay: publishes made offline arrive once each, in order —
 * after a reconnect, when the first flush is cut half-way, and across a simulated page reload
 * with localStorage persistence (a Web Storage implementation in memory).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PublishAck } from "../../../client/outbox-options.js";
import { localStorageOutbox } from "../../../client/outbox-storage.js";
import { isEventBusError } from "../../../protocol/errors.js";
import {
  closeAllBuses,
  collect,
  ROOM_CLAIMS,
  range,
  sequence,
  statusReached,
  testBus,
  untilMarker,
} from "../../helpers/client-bus.js";
import { MemoryStorage } from "../../helpers/client-storage.js";
import { startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

let server: TestRelay;

beforeEach(async () => {
  server = await startTestRelay();
});

afterEach(async () => {
  closeAllBuses();
  await server.close();
});

/** Bob, joined to photo:1, collecting what arrives there. */
async function receiver() {
  const bob = testBus(server.url, () => server.token("bob", ROOM_CLAIMS));
  const events = collect(bob, "*", "room:photo:1");
  await bob.joinRoom("photo:1");
  return events;
}

function cutSocketsOf(userId: string): void {
  for (const socket of server.relay.io.sockets.sockets.values()) {
    if (socket.data.session?.userId === userId) socket.disconnect(true);
  }
}

describe("offline outbox", () => {
  it("200 publishes made offline arrive once each, in order, after connecting", async () => {
    const events = await receiver();
    const alice = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), { autoConnect: false });
    const acks = range(200).map((i) => alice.publish("comment.added", { i }, { room: "photo:1" }));
    expect(alice.store.getState().pending).toBe(200);
    alice.connect();
    const results = await Promise.all(acks);
    expect(results.map((r) => r.offset)).toEqual(range(200).map((i) => i + 1));
    await events.waitFor(200);
    expect(sequence(events.items)).toEqual(range(200));
    expect(events.items.map((e) => e.id)).toEqual(results.map((r) => r.id));
    expect(alice.store.getState().pending).toBe(0);
  });

  it("again when the first flush is cut half-way (the in-flight message is sent again, arrives once)", async () => {
    const events = await receiver();
    const alice = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), { autoConnect: false });
    let cut = false;
    const acks: Promise<PublishAck>[] = range(200).map((i) =>
      alice.publish("comment.added", { i }, { room: "photo:1" }).then((ack) => {
        if (i === 99 && !cut) {
          cut = true;
          cutSocketsOf("alice");
        }
        return ack;
      }),
    );
    const statuses: string[] = [];
    alice.on("status", (s) => statuses.push(s.status));
    alice.connect();
    await Promise.all(acks);
    const arrived = await untilMarker(server.broker, "room:photo:1", events);
    expect(cut).toBe(true);
    expect(statuses).toContain("reconnecting");
    expect(sequence(arrived)).toEqual(range(200));
  });

  it("again across a page reload with localStorage: the next page sends what the first did not", async () => {
    const events = await receiver();
    const storage = new MemoryStorage();
    const first = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), {
      outbox: { storage: localStorageOutbox({ storage }) },
    });
    await statusReached(first, "connected");
    const outcomes = range(200).map((i) =>
      first.publish("comment.added", { i }, { room: "photo:1" }).then(
        () => "sent",
        (error: unknown) => (isEventBusError(error, "CLOSED") ? "closed" : "other"),
      ),
    );
    await events.waitFor(60);
    first.close(); // the page goes away mid-flush: its promises end, its stored entries stay
    const settled = await Promise.all(outcomes);
    expect(settled).not.toContain("other");
    expect(settled.filter((s) => s === "closed").length).toBeGreaterThan(0);
    expect(storage.keys().length).toBeGreaterThan(0);

    const errors: unknown[] = [];
    const second = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), {
      outbox: { storage: localStorageOutbox({ storage }) },
    });
    second.on("error", (e) => errors.push(e));
    await events.waitFor(200);
    await expect.poll(() => storage.keys().length).toBe(0); // every stored publish acknowledged
    expect(sequence(await untilMarker(server.broker, "room:photo:1", events))).toEqual(range(200));
    expect(second.store.getState().pending).toBe(0);
    expect(errors).toEqual([]);
  });

  it("overflow: reject-new rejects with OUTBOX_FULL; drop-oldest rejects the oldest", async () => {
    const strict = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), {
      autoConnect: false,
      outbox: { maxMessages: 2 },
    });
    const kept = [
      strict.publish("comment.added", { i: 0 }, { room: "photo:1" }),
      strict.publish("comment.added", { i: 1 }, { room: "photo:1" }),
    ];
    await expect(strict.publish("comment.added", { i: 2 }, { room: "photo:1" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "OUTBOX_FULL"),
    );
    const lenient = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), {
      autoConnect: false,
      outbox: { maxMessages: 2, overflow: "drop-oldest" },
    });
    const dropped = lenient.publish("comment.added", { i: 0 }, { room: "photo:1" });
    const rest = [1, 2].map((i) => lenient.publish("comment.added", { i }, { room: "photo:1" }));
    await expect(dropped).rejects.toSatisfy((e) => isEventBusError(e, "OUTBOX_FULL"));
    const events = await receiver();
    strict.connect();
    lenient.connect();
    await Promise.all([...kept, ...rest]);
    await events.waitFor(4);
    expect(sequence(events.items).sort()).toEqual([0, 1, 1, 2]);
  });
});
