/**
 * The hooks' contracts: the missing-provider error, the latest handler without resubscribing,
 * `enabled`, the bounded event list, the outbox's pending count, stable functions, bus listeners.
 */
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from "@testing-library/react";

import type { ReactNode } from "react";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createEventBus, type EventBus, type PublishAck } from "../../client/index.js";
import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import {
  EventBusProvider,
  useConnection,
  useEventBus,
  useEventBusClient,
  useEventBusListener,
  usePublish,
  useRoom,
} from "../../react/index.js";
import { type CountingRelay, ROOM_CLAIMS, startCountingRelay } from "./helpers.js";

let relay: CountingRelay;
let bus: EventBus<PhotoEvents>;

beforeEach(async () => {
  relay = await startCountingRelay();
  bus = createEventBus<PhotoEvents>({
    url: relay.url,
    getToken: () => relay.token("u1", ROOM_CLAIMS),
    autoConnect: false,
    reconnect: { minDelay: 20, maxDelay: 100 },
  });
});

afterEach(async () => {
  cleanup();
  bus.close();
  await relay.close();
});

const wrapper = ({ children }: { children: ReactNode }) => (
  <EventBusProvider bus={bus} gracePeriod={10}>
    {children}
  </EventBusProvider>
);

const progress = (n: number) => ({ photoId: "p1", progress: n, stage: "resize" });

describe("without a provider", () => {
  it.each([
    ["useEventBus", () => useEventBus("x.*")],
    ["useRoom", () => useRoom("photo:1")],
    ["useConnection", () => useConnection()],
    ["usePublish", () => usePublish()],
    ["useEventBusClient", () => useEventBusClient()],
    ["useEventBusListener", () => useEventBusListener("gap", () => {})],
  ])("%s throws an error that says what to do", (name, hook) => {
    vi.spyOn(console, "error").mockImplementation(() => {}); // React logs the thrown error
    expect(() => renderHook(hook)).toThrow(
      `${name}() must be used inside <EventBusProvider>: no provider was found above this component.`,
    );
    vi.restoreAllMocks();
  });
});

describe("useEventBus", () => {
  it("calls the latest handler without resubscribing; one subscription per hook instance", async () => {
    const subscribe = vi.spyOn(bus, "subscribe");
    const seen: string[] = [];
    const { result, rerender } = renderHook(
      ({ tag }: { tag: string }) =>
        useEventBus<PhotoEvents, "photo.processing.progress">("photo.processing.progress", (event) =>
          seen.push(`${tag}:${event.data.progress}`),
        ),
      { wrapper, initialProps: { tag: "first" } },
    );
    await waitFor(() => expect(bus.status).toBe("connected"));
    await relay.toUser("u1", "photo.processing.progress", progress(1));
    await waitFor(() => expect(seen).toEqual(["first:1"]));
    for (const tag of ["second", "third", "fourth"]) rerender({ tag });
    await relay.toUser("u1", "photo.processing.progress", progress(2));
    await waitFor(() => expect(result.current.events).toHaveLength(2));
    expect(seen).toEqual(["first:1", "fourth:2"]);
    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(result.current.last?.data.progress).toBe(2);
  });

  it("keeps the newest `limit` events; `enabled: false` subscribes to nothing", async () => {
    const subscribe = vi.spyOn(bus, "subscribe");
    const { result, rerender } = renderHook(
      ({ enabled }: { enabled: boolean }) => ({
        bounded: useEventBus<PhotoEvents, "photo.*">("photo.*", null, { limit: 3 }),
        paused: useEventBus("photo.*", null, { enabled }),
      }),
      { wrapper, initialProps: { enabled: false } },
    );
    await waitFor(() => expect(bus.status).toBe("connected"));
    expect(subscribe).toHaveBeenCalledTimes(1);
    for (let i = 1; i <= 5; i++) await relay.toUser("u1", "photo.processing.progress", progress(i));
    await waitFor(() => expect(result.current.bounded.last?.data).toMatchObject({ progress: 5 }));
    expect(result.current.bounded.events.map((e) => (e.data as { progress: number }).progress)).toEqual([
      3, 4, 5,
    ]);
    expect(result.current.paused.events).toEqual([]);
    rerender({ enabled: true });
    expect(subscribe).toHaveBeenCalledTimes(2);
    await relay.toUser("u1", "photo.processing.progress", progress(6));
    await waitFor(() => expect(result.current.paused.events).toHaveLength(1));
  });

  it("an invalid pattern throws a coded error to the component (error boundary), holding no room", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const joinRoom = vi.spyOn(bus, "joinRoom");
    const leaveRoom = vi.spyOn(bus, "leaveRoom");
    expect(() => renderHook(() => useEventBus("", null, { room: "photo:1" }), { wrapper })).toThrow(
      /^INVALID_PATTERN: /,
    );
    expect(() => renderHook(() => useEventBus("x".repeat(300)), { wrapper })).toThrow(/^INVALID_PATTERN: /);
    expect(joinRoom).toHaveBeenCalled();
    await waitFor(() => expect(leaveRoom).toHaveBeenCalledTimes(joinRoom.mock.calls.length));
    vi.restoreAllMocks();
  });

  it("switching pattern starts an empty list at once (no events of the previous pattern)", async () => {
    const { result, rerender } = renderHook(({ pattern }: { pattern: string }) => useEventBus(pattern), {
      wrapper,
      initialProps: { pattern: "photo.*" },
    });
    await waitFor(() => expect(bus.status).toBe("connected"));
    await relay.toUser("u1", "photo.processing.progress", progress(1));
    await waitFor(() => expect(result.current.events).toHaveLength(1));
    rerender({ pattern: "notification.*" });
    expect(result.current).toEqual({ last: null, events: [] });
    await relay.toUser("u1", "notification.new", { title: "t", message: "m" });
    await waitFor(() => expect(result.current.last?.type).toBe("notification.new"));
  });
});

describe("useConnection and usePublish", () => {
  it("shows the outbox's pending count while offline; publishes once each on reconnect", async () => {
    const acks: PublishAck[] = [];
    const publishes = new Set<unknown>();
    function Composer() {
      const { status, pending, disconnect, reconnect } = useConnection();
      const publish = usePublish<PhotoEvents>();
      publishes.add(publish);
      const room = useRoom<PhotoEvents>("photo:1");
      return (
        <>
          <p>
            {status} · {room.status} · {pending} pending · {room.events.length} comments
          </p>
          <button type="button" onClick={disconnect}>
            offline
          </button>
          <button type="button" onClick={reconnect}>
            online
          </button>
          <button
            type="button"
            onClick={() => {
              publish("comment.added", { photoId: "1", text: "t", author: "a" }, { room: "photo:1" }).then(
                (ack) => acks.push(ack),
                () => {},
              );
            }}
          >
            comment
          </button>
        </>
      );
    }
    render(<Composer />, { wrapper });
    await screen.findByText("connected · joined · 0 pending · 0 comments");
    fireEvent.click(screen.getByRole("button", { name: "offline" }));
    await screen.findByText("disconnected · joining · 0 pending · 0 comments");
    for (let i = 0; i < 3; i++) fireEvent.click(screen.getByRole("button", { name: "comment" }));
    await screen.findByText("disconnected · joining · 3 pending · 0 comments");
    fireEvent.click(screen.getByRole("button", { name: "online" }));
    await screen.findByText("connected · joined · 0 pending · 3 comments");
    await waitFor(() => expect(acks.map((a) => a.offset)).toEqual([1, 2, 3]));
    expect(publishes.size).toBe(1); // the same function on every render
  });

  it("useEventBusListener follows the bus's status with the latest listener", async () => {
    const statuses: string[] = [];
    renderHook(() => useEventBusListener("status", (change) => statuses.push(change.status)), { wrapper });
    await waitFor(() => expect(statuses).toContain("connected"));
    act(() => bus.disconnect());
    await waitFor(() => expect(statuses.at(-1)).toBe("disconnected"));
  });
});
