/**
 * StrictMode mounts, unmounts and remounts every effect: the bindings must still open one socket,
 * join each room once at the relay, deliver each event once, and close/leave only on a real unmount.
 */
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";

import { StrictMode } from "react";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createEventBus, type EventBus } from "../../client/index.js";
import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import { EventBusProvider, useConnection, useEventBus, useRoom } from "../../react/index.js";
import { type CountingRelay, ROOM_CLAIMS, startCountingRelay, Toggle } from "./helpers.js";

let relay: CountingRelay;
const buses: EventBus<PhotoEvents>[] = [];

beforeEach(async () => {
  relay = await startCountingRelay();
});

afterEach(async () => {
  cleanup();
  for (const bus of buses.splice(0)) bus.close();
  await relay.close();
});

function Badge() {
  return <p>badge: {useConnection().status}</p>;
}

function PhotoRoom({ onComment }: { readonly onComment: (text: string) => void }) {
  const room = useRoom<PhotoEvents>("photo:1");
  useEventBus<PhotoEvents, "comment.added">("comment.added", (event) => onComment(event.data.text), {
    room: "photo:1",
  });
  const { status } = useConnection();
  return (
    <section>
      <p>connection: {status}</p>
      <p>room: {room.status}</p>
      <ul>
        {room.events.map((event) => (
          <li key={event.id}>{event.type}</li>
        ))}
      </ul>
    </section>
  );
}

describe("StrictMode", () => {
  it("an owned bus: one connection, one join at the relay, one delivery per event; closed on real unmount", async () => {
    const comments: string[] = [];
    let tokenRequests = 0; // each bus asks for a token when it connects: two buses would ask twice
    const options = {
      url: relay.url,
      getToken: () => {
        tokenRequests++;
        return relay.token("u1", ROOM_CLAIMS);
      },
    };
    const view = render(
      <StrictMode>
        <EventBusProvider options={options} gracePeriod={20}>
          <PhotoRoom onComment={(text) => comments.push(text)} />
        </EventBusProvider>
      </StrictMode>,
    );
    await screen.findByText("room: joined");
    screen.getByText("connection: connected");
    for (let i = 0; i < 5; i++) await relay.toRoom("photo:1", "comment.added", { text: `c${i}` });
    await waitFor(() => expect(screen.getAllByRole("listitem")).toHaveLength(5));
    expect(comments).toEqual(["c0", "c1", "c2", "c3", "c4"]);
    expect(tokenRequests).toBe(1); // the bus was created once
    expect(relay.counts.upgrades).toBe(1); // and opened one socket
    expect(relay.counts.connections).toBe(1);
    expect(relay.joins("photo:1")).toBe(1);
    expect(relay.leaves("photo:1")).toBe(0);

    view.unmount();
    await waitFor(() => expect(relay.relay.stats().connections).toBe(0));
    expect(relay.counts.connections).toBe(1);
    expect(relay.joins("photo:1")).toBe(1);
  });

  it("a room mounted while connected: the simulated unmount's leave is absorbed (no leave, no second join)", async () => {
    const bus = createEventBus<PhotoEvents>({
      url: relay.url,
      getToken: () => relay.token("u1", ROOM_CLAIMS),
      autoConnect: false,
    });
    buses.push(bus);
    const leaveRoom = vi.spyOn(bus, "leaveRoom");
    const comments: string[] = [];
    const app = (show: boolean) => (
      <StrictMode>
        <EventBusProvider bus={bus} gracePeriod={20}>
          <Badge />
          <Toggle show={show}>
            <PhotoRoom onComment={(text) => comments.push(text)} />
          </Toggle>
        </EventBusProvider>
      </StrictMode>
    );
    const view = render(app(false));
    await screen.findByText("badge: connected");
    view.rerender(app(true));
    await screen.findByText("room: joined");
    // StrictMode's simulated unmount released the first holds of useRoom and useEventBus; after the
    // grace period they call leaveRoom, which only drops the client's reference count:
    await waitFor(() => expect(leaveRoom).toHaveBeenCalledTimes(2));
    // A leave frame sent before this publish would have reached the relay before its delivery.
    await relay.toRoom("photo:1", "comment.added", { text: "after" });
    await screen.findByText("comment.added");
    expect(comments).toEqual(["after"]);
    expect(relay.joins("photo:1")).toBe(1);
    expect(relay.leaves("photo:1")).toBe(0);

    view.rerender(app(false));
    await waitFor(() => expect(relay.leaves("photo:1")).toBe(1));
    expect(relay.joins("photo:1")).toBe(1);
    act(() => view.unmount());
    expect(bus.status).toBe("connected"); // the app owns a given bus; the provider never closes it
  });
});
