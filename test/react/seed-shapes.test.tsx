/**
 * The React bindings given what the seed documents write: `<EventBusProvider options>` with an
 * unknown key (seed 000's `eventBusUrl`) throws INVALID_OPTIONS during render, before any
 * connection; hook options with an unknown key, and seed 001's room-name pattern, throw coded
 * errors to the component instead of subscribing to nothing.
 */
import { cleanup, render, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEventBus, type EventBus, type EventBusOptions } from "../../client/index.js";
import { EventBusProvider, useEventBus, useRoom } from "../../react/index.js";
import { type CountingRelay, ROOM_CLAIMS, startCountingRelay } from "./helpers.js";

let relay: CountingRelay;
let bus: EventBus;

beforeEach(async () => {
  relay = await startCountingRelay();
  bus = createEventBus({
    url: relay.url,
    getToken: () => relay.token("u1", ROOM_CLAIMS),
    autoConnect: false,
  });
  vi.spyOn(console, "error").mockImplementation(() => {}); // React logs what a render throws
});

afterEach(async () => {
  vi.restoreAllMocks();
  cleanup();
  bus.close();
  await relay.close();
});

const wrapper = ({ children }: { children: ReactNode }) => (
  <EventBusProvider bus={bus} gracePeriod={10}>
    {children}
  </EventBusProvider>
);

describe("seed shapes in React", () => {
  it("<EventBusProvider options> with seed 000's eventBusUrl throws INVALID_OPTIONS in render, connecting nothing", () => {
    const options = { eventBusUrl: relay.url, getToken: () => "t" } as unknown as EventBusOptions;
    expect(() => render(<EventBusProvider options={options}>app</EventBusProvider>)).toThrow(
      /^INVALID_OPTIONS: createEventBus options: unknown option `eventBusUrl`\. The relay's URL is `url`\./,
    );
    expect(relay.counts.requests + relay.counts.upgrades).toBe(0);
  });

  it('useEventBus("photo:123") throws INVALID_PATTERN pointing to the room', () => {
    expect(() => renderHook(() => useEventBus("photo:123" as never), { wrapper })).toThrow(
      /^INVALID_PATTERN: .*bus\.room\("photo:123"\)/,
    );
  });

  it("hook options with an unknown key throw INVALID_OPTIONS naming the nearest key", () => {
    expect(() =>
      renderHook(() => useEventBus("photo.*", null, { rooom: "photo:1" } as never), { wrapper }),
    ).toThrow(/^INVALID_OPTIONS: useEventBus options: unknown option `rooom` \(did you mean `room`\?\)/);
    expect(() => renderHook(() => useRoom("photo:1", { presense: true } as never), { wrapper })).toThrow(
      /^INVALID_OPTIONS: useRoom options: unknown option `presense` \(did you mean `presence`\?\)/,
    );
  });
});
