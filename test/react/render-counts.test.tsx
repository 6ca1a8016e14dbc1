/**
 * Selectors, not re-render storms: a component re-renders for what it reads. Events on other rooms,
 * other event types, presence and status changes of other rooms leave it alone.
 */
import { cleanup, render, screen } from "@testing-library/react";

import { Profiler } from "react";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createEventBus, type EventBus } from "../../client/index.js";
import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import { EventBusProvider, useConnection, useEventBus, usePublish, useRoom } from "../../react/index.js";
import { type CountingRelay, ROOM_CLAIMS, startCountingRelay, Toggle } from "./helpers.js";

let relay: CountingRelay;
let bus: EventBus<PhotoEvents>;

beforeEach(async () => {
  relay = await startCountingRelay();
  bus = createEventBus<PhotoEvents>({
    url: relay.url,
    getToken: () => relay.token("u1", ROOM_CLAIMS),
    autoConnect: false,
  });
});

afterEach(async () => {
  cleanup();
  bus?.close();
  await relay.close();
});

function Quiet() {
  const room = useRoom<PhotoEvents>("photo:a", { presence: true });
  const { status, pending } = useConnection();
  const progress = useEventBus<PhotoEvents, "photo.processing.progress">("photo.processing.progress");
  usePublish();
  return (
    <p>
      quiet: {status} {pending} {room.status} {room.members.length} {room.events.length}{" "}
      {progress.events.length}
    </p>
  );
}

function Busy() {
  const room = useRoom<PhotoEvents>("photo:b", { presence: true });
  const notes = useEventBus<PhotoEvents, "notification.new">("notification.new");
  return (
    <p>
      busy: {room.status} {room.events.length} {notes.events.length}
    </p>
  );
}

describe("render counts", () => {
  it("unrelated events, rooms and presence do not re-render a component", async () => {
    let quietCommits = 0;
    const app = (busy: boolean) => (
      <EventBusProvider bus={bus}>
        <Profiler id="quiet" onRender={() => quietCommits++}>
          <Quiet />
        </Profiler>
        <Toggle show={busy}>
          <Busy />
        </Toggle>
      </EventBusProvider>
    );
    const view = render(app(false));
    await screen.findByText("quiet: connected 0 joined 1 0 0");
    view.rerender(app(true)); // another room joins, with presence: the store changes several times
    const settled = quietCommits; // (counting from here: the rerender itself renders Quiet again)
    await screen.findByText("busy: joined 0 0");
    for (let i = 0; i < 20; i++) {
      await relay.toRoom("photo:b", "comment.added", { photoId: "b", text: `${i}`, author: "x" });
      await relay.toUser("u1", "notification.new", { title: "t", message: `${i}` });
    }
    await screen.findByText("busy: joined 20 20");
    expect(quietCommits - settled).toBe(0);

    // …and what it does read still renders: one commit per event of its own.
    await relay.toRoom("photo:a", "photo.processing.progress", { photoId: "a", progress: 5, stage: "s" });
    await screen.findByText("quiet: connected 0 joined 1 1 1");
    expect(quietCommits - settled).toBe(1);
  });
});
