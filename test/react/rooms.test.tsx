/**
 * useRoom against a real relay: shared joins, leaving after the last user, gaps, refused joins
 * reflected in state (never an unhandled rejection), presence and publishing from the browser.
 */
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";

import { useState } from "react";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createEventBus, type EventBus, type EventBusOptions } from "../../client/index.js";
import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import { EventBusProvider, useConnection, usePublish, useRoom } from "../../react/index.js";
import { publishEvent } from "../helpers/relay-server.js";
import { type CountingRelay, ROOM_CLAIMS, startCountingRelay, Toggle } from "./helpers.js";

let relay: CountingRelay;
const buses: EventBus<PhotoEvents>[] = [];

beforeEach(async () => {
  relay = await startCountingRelay({ history: { maxLength: 5 } });
});

afterEach(async () => {
  cleanup();
  for (const bus of buses.splice(0)) bus.close();
  await relay.close();
});

function newBus(
  userId: string,
  claims: { rooms?: readonly string[]; publish?: readonly string[] } = ROOM_CLAIMS,
) {
  const options: EventBusOptions = {
    url: relay.url,
    getToken: () => relay.token(userId, claims),
    autoConnect: false,
    reconnect: { minDelay: 20, maxDelay: 100 },
  };
  const bus = createEventBus<PhotoEvents>(options);
  buses.push(bus);
  return bus;
}

function RoomView({ name, label, presence = false }: { name: string; label: string; presence?: boolean }) {
  const room = useRoom<PhotoEvents>(name, { presence });
  return (
    <section aria-label={label}>
      <p>
        {label} status: {room.status}
      </p>
      <p>
        {label} error: {room.error?.code ?? "none"}
      </p>
      <p>
        {label} recovered: {String(room.recovered)}, gaps: {room.gaps}, gap: {room.gap?.channel ?? "none"}
      </p>
      <p>
        {label} watching: {room.members.length}
      </p>
      <ul aria-label={`${label} events`}>
        {room.events.map((event) => (
          <li key={event.id}>
            {label} {event.type} {JSON.stringify(event.data)}
          </li>
        ))}
      </ul>
    </section>
  );
}

describe("useRoom", () => {
  it("two components on one room share one join; the room is left only after both unmount", async () => {
    const bus = newBus("u1");
    const leaveRoom = vi.spyOn(bus, "leaveRoom");
    const app = (a: boolean, b: boolean) => (
      <EventBusProvider bus={bus} gracePeriod={10}>
        <Toggle show={a}>
          <RoomView name="photo:1" label="A" />
        </Toggle>
        <Toggle show={b}>
          <RoomView name="photo:1" label="B" />
        </Toggle>
      </EventBusProvider>
    );
    const view = render(app(true, true));
    await screen.findByText("A status: joined");
    screen.getByText("B status: joined");
    expect(relay.joins("photo:1")).toBe(1);

    view.rerender(app(false, true));
    await waitFor(() => expect(leaveRoom).toHaveBeenCalledTimes(1)); // A's hold, after the grace period
    await relay.toRoom("photo:1", "comment.added", { photoId: "p1", text: "still here", author: "x" });
    await screen.findByText(/B comment.added .*still here/);
    expect(relay.leaves("photo:1")).toBe(0);
    screen.getByText("B status: joined");

    view.rerender(app(false, false));
    await waitFor(() => expect(relay.leaves("photo:1")).toBe(1));
    expect(relay.joins("photo:1")).toBe(1);
    expect(bus.store.getState().rooms["photo:1"]).toBeUndefined();
  });

  it("enabled: false holds nothing (idle, no join, even while another component holds the room)", async () => {
    const bus = newBus("u1");
    function Lazy({ enabled }: { enabled: boolean }) {
      const room = useRoom("photo:2", { enabled, presence: true });
      return (
        <p>
          lazy: {room.status} {room.members.length}
        </p>
      );
    }
    const app = (enabled: boolean, other: boolean) => (
      <EventBusProvider bus={bus} gracePeriod={10}>
        <Lazy enabled={enabled} />
        <Toggle show={other}>
          <RoomView name="photo:2" label="O" presence />
        </Toggle>
      </EventBusProvider>
    );
    const view = render(app(false, false));
    await waitFor(() => expect(bus.status).toBe("connected"));
    screen.getByText("lazy: idle 0");
    view.rerender(app(false, true));
    await screen.findByText("O watching: 1");
    screen.getByText("lazy: idle 0");
    expect(relay.joins("photo:2")).toBe(1);
    view.rerender(app(true, false));
    await screen.findByText("lazy: joined 1");
    expect(relay.joins("photo:2")).toBe(1); // O's hold was still there (grace): no leave, no rejoin
    expect(relay.leaves("photo:2")).toBe(0);
  });

  it("reflects a gap: history lost while offline → recovered false, gap set; later events still arrive", async () => {
    const bus = newBus("u1");
    function Switch() {
      const { status, disconnect, reconnect } = useConnection();
      return (
        <>
          <p>connection: {status}</p>
          <button type="button" onClick={disconnect}>
            go offline
          </button>
          <button type="button" onClick={reconnect}>
            go online
          </button>
        </>
      );
    }
    render(
      <EventBusProvider bus={bus}>
        <Switch />
        <RoomView name="photo:1" label="R" />
      </EventBusProvider>,
    );
    await screen.findByText("R status: joined");
    screen.getByText("R recovered: null, gaps: 0, gap: none");
    await relay.toRoom("photo:1", "photo.processing.progress", { photoId: "p1", progress: 0, stage: "s" });
    await screen.findByText(/R photo.processing.progress .*"progress":0/);

    fireEvent.click(screen.getByRole("button", { name: "go offline" }));
    await screen.findByText("connection: disconnected");
    for (let i = 1; i <= 20; i++) {
      await relay.toRoom("photo:1", "photo.processing.progress", { photoId: "p1", progress: i, stage: "s" });
    }
    fireEvent.click(screen.getByRole("button", { name: "go online" }));
    await screen.findByText("R recovered: false, gaps: 1, gap: room:photo:1");
    await relay.toRoom("photo:1", "photo.processing.progress", { photoId: "p1", progress: 21, stage: "s" });
    await screen.findByText(/R photo.processing.progress .*"progress":21/);
    screen.getByText("connection: connected");
  });

  it("a refused join (FORBIDDEN) and an invalid room name are states, not unhandled rejections", async () => {
    const bus = newBus("u1", { rooms: ["photo:*"] });
    render(
      <EventBusProvider bus={bus}>
        <RoomView name="secret:1" label="S" />
        <RoomView name="bad room" label="I" />
        <RoomView name="photo:1" label="P" />
      </EventBusProvider>,
    );
    await screen.findByText("S status: failed");
    screen.getByText("S error: FORBIDDEN");
    await screen.findByText("I status: failed");
    screen.getByText("I error: INVALID_ROOM");
    await screen.findByText("P status: joined");
  });

  it("presence: two users in the room see two members; publish() from one reaches the other", async () => {
    const alice = newBus("alice");
    const bob = newBus("bob");
    function Commenter() {
      const room = useRoom<PhotoEvents>("photo:1", { presence: true, limit: 0 });
      const publish = usePublish<PhotoEvents>();
      const [result, setResult] = useState("");
      const comment = { photoId: "p1", text: "hello bob", author: "alice" };
      const report = (promise: Promise<{ offset?: number }>) =>
        promise.then(
          (ack) => setResult(`sent ${ack.offset}`),
          (error: { code?: string }) => setResult(`refused ${error.code}`),
        );
      return (
        <>
          <p>alice sees {room.members.map((m) => m.userId).join("+")}</p>
          <button type="button" onClick={() => report(room.publish("comment.added", comment))}>
            comment
          </button>
          <button
            type="button"
            onClick={() => report(publish("comment.added", comment, { room: "secret:1" }))}
          >
            comment elsewhere
          </button>
          <p>result: {result}</p>
        </>
      );
    }
    // Bob first: a join answered while another member's join is in flight can lose that member
    // (the answer's snapshot replaces a newer presence delta in the client) — see the report.
    const app = (withAlice: boolean) => (
      <>
        <EventBusProvider bus={bob}>
          <RoomView name="photo:1" label="bob" presence />
        </EventBusProvider>
        <EventBusProvider bus={alice}>
          <Toggle show={withAlice}>
            <Commenter />
          </Toggle>
        </EventBusProvider>
      </>
    );
    const view = render(app(false));
    await screen.findByText("bob status: joined");
    view.rerender(app(true));
    await screen.findByText("bob watching: 2");
    await screen.findByText(/alice sees (alice\+bob|bob\+alice)/);
    fireEvent.click(screen.getByRole("button", { name: "comment" }));
    await screen.findByText(/bob comment.added .*hello bob/);
    await screen.findByText("result: sent 1");
    fireEvent.click(screen.getByRole("button", { name: "comment elsewhere" }));
    await screen.findByText("result: refused FORBIDDEN");
  });

  it("a bad token: the room reaches failed with the coded cause (not joining forever), and useConnection says why", async () => {
    const bus = createEventBus<PhotoEvents>({
      url: relay.url,
      getToken: async () => "not-a-jwt",
      autoConnect: false,
      reconnect: { minDelay: 20, maxDelay: 100 },
    });
    buses.push(bus);
    function Status() {
      const { status, reason } = useConnection();
      return (
        <p>
          connection: {status} ({reason.code})
        </p>
      );
    }
    render(
      <EventBusProvider bus={bus}>
        <Status />
        <RoomView name="photo:1" label="A" />
      </EventBusProvider>,
    );
    bus.connect();
    await screen.findByText("connection: unauthorized (TOKEN_INVALID)");
    await screen.findByText("A status: failed");
    await screen.findByText("A error: TOKEN_INVALID");
  });

  it("a refreshed token that no longer allows the room: forbidden with FORBIDDEN, not joined again; useConnection says why it disconnected", async () => {
    let demoted = false;
    const bus = createEventBus<PhotoEvents>({
      url: relay.url,
      // Tokens of 2 s: the bus refreshes in-band at 80 % of that, and the demoted token takes effect at once.
      getToken: () => relay.token("u1", { rooms: demoted ? ["photo:public"] : ["photo:*"], ttl: 2 }),
      autoConnect: false,
      reconnect: { minDelay: 20, maxDelay: 100 },
    });
    buses.push(bus);
    function Why() {
      const { status, disconnectReason } = useConnection();
      return (
        <p>
          connection: {status}, disconnected because: {disconnectReason?.code ?? "none"}
        </p>
      );
    }
    render(
      <EventBusProvider bus={bus}>
        <Why />
        <RoomView name="photo:secret" label="S" />
      </EventBusProvider>,
    );
    bus.connect();
    await screen.findByText("S status: joined");
    demoted = true;
    await screen.findByText("S status: forbidden", {}, { timeout: 10_000 });
    screen.getByText("S error: FORBIDDEN");
    bus.disconnect();
    await screen.findByText("connection: disconnected, disconnected because: DISCONNECT_CALLED");
    bus.connect();
    await screen.findByText("connection: connected, disconnected because: DISCONNECT_CALLED");
    // A join answered on the new connection: any rejoin of photo:secret would have been received before it.
    await bus.joinRoom("photo:public");
    expect(relay.counts.connections).toBe(2);
    screen.getByText("S status: forbidden");
    expect(relay.joins("photo:secret")).toBe(1);
  });
});

describe("useRoom with rewind", () => {
  function Rewound({ rewind }: { rewind: number | "2m" }) {
    const room = useRoom<PhotoEvents>("photo:9", { rewind });
    return (
      <p>
        rewound: {room.status} {room.events.map((event) => (event.data as { text: string }).text).join(",")}
      </p>
    );
  }

  it("replays the room's last events on join, then live ones, once and in order", async () => {
    for (const text of ["a", "b", "c", "d"]) {
      await publishEvent(relay.broker, "room:photo:9", "comment.added", { photoId: "9", text, author: "u2" });
    }
    const bus = newBus("u1");
    render(
      <EventBusProvider bus={bus}>
        <Rewound rewind={2} />
      </EventBusProvider>,
    );
    bus.connect();
    await screen.findByText("rewound: joined c,d");
    await publishEvent(relay.broker, "room:photo:9", "comment.added", {
      photoId: "9",
      text: "e",
      author: "u2",
    });
    await screen.findByText("rewound: joined c,d,e");
  });

  it("a bad rewind throws INVALID_OPTIONS during render", () => {
    const bus = newBus("u1");
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() =>
      render(
        <EventBusProvider bus={bus}>
          <Rewound rewind={"2 minutes" as never} />
        </EventBusProvider>,
      ),
    ).toThrow(/rewind/);
  });
});
