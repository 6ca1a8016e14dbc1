/**
 * The SDK where the DOM matters (a jsdom window; the relay beside it keeps Node's globals): the page's real `localStorage` keeps the outbox across a
 * reload, and the browser's `online` event and a page becoming visible retry at once instead of
 * waiting for the backoff.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localStorageOutbox } from "../../../client/outbox-storage.js";
import {
  closeAllBuses,
  collect,
  ROOM_CLAIMS,
  range,
  sequence,
  statusReached,
  testBus,
} from "../../helpers/client-bus.js";
import { TrackingClock } from "../../helpers/client-clock.js";
import { installDom } from "../../helpers/client-dom.js";
import { startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

let server: TestRelay;
let dom: Awaited<ReturnType<typeof installDom>>;

beforeEach(async () => {
  dom = await installDom();
  server = await startTestRelay();
});

afterEach(async () => {
  closeAllBuses();
  await server.close();
  dom.remove();
});

describe("in a browser-like environment", () => {
  it("the outbox survives a reload in window.localStorage and the next page sends it", async () => {
    const bob = testBus(server.url, () => server.token("bob", ROOM_CLAIMS));
    const events = collect(bob, "*", "room:photo:1");
    await bob.joinRoom("photo:1");
    const first = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), {
      autoConnect: false,
      outbox: { storage: localStorageOutbox() },
    });
    const outcomes = range(50).map((i) =>
      first.publish("comment.added", { i }, { room: "photo:1" }).catch(() => "closed"),
    );
    await expect.poll(() => localStorage.length).toBe(50); // the storage API is asynchronous
    first.close();
    expect(await Promise.all(outcomes)).toEqual(range(50).map(() => "closed"));
    testBus(server.url, () => server.token("alice", ROOM_CLAIMS), {
      outbox: { storage: localStorageOutbox() },
    });
    await events.waitFor(50);
    expect(sequence(events.items)).toEqual(range(50));
    await expect.poll(() => localStorage.length).toBe(0);
  });

  it("`online` and a page becoming visible retry at once instead of waiting for the backoff", async () => {
    const clock = new TrackingClock();
    const bus = testBus(server.url, () => server.token("u1"), {
      reconnect: { minDelay: 60_000, maxDelay: 60_000 },
      random: () => 0.99, // every retry would wait ~59 s
      clock,
    });
    await statusReached(bus, "connected");
    server.relay.io.disconnectSockets(true);
    await statusReached(bus, "reconnecting");
    expect(clock.pending().some((ms) => ms < 50_000)).toBe(false); // the next attempt is ~59 s away
    dom.window.dispatchEvent(new dom.window.Event("online"));
    await statusReached(bus, "connected");

    server.relay.io.disconnectSockets(true);
    await statusReached(bus, "reconnecting");
    expect(clock.pending().some((ms) => ms < 50_000)).toBe(false);
    Object.defineProperty(dom.window.document, "visibilityState", { value: "visible", configurable: true });
    dom.window.document.dispatchEvent(new dom.window.Event("visibilitychange"));
    await statusReached(bus, "connected");
  });

  it("`offline` drops a live connection at once, keeps publishes in the outbox, and `online` sends them", async () => {
    const bob = testBus(server.url, () => server.token("bob", ROOM_CLAIMS));
    const events = collect(bob, "*", "room:photo:1");
    await bob.joinRoom("photo:1");
    const alice = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), {
      reconnect: { minDelay: 60_000, maxDelay: 60_000 },
      random: () => 0.99,
    });
    await alice.joinRoom("photo:1");
    dom.window.dispatchEvent(new dom.window.Event("offline"));
    expect(alice.status).toBe("reconnecting");
    const acks = range(5).map((i) => alice.publish("comment.added", { i }, { room: "photo:1" }));
    expect(alice.store.getState().pending).toBe(5);
    dom.window.dispatchEvent(new dom.window.Event("online"));
    await statusReached(alice, "connected");
    expect((await Promise.all(acks)).map((a) => a.offset)).toEqual([1, 2, 3, 4, 5]);
    await events.waitFor(5);
    expect(sequence(events.items)).toEqual(range(5));
  });
});
