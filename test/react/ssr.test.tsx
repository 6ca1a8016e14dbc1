// @vitest-environment node
/**
 * Server rendering: `renderToString` of a tree using every hook — with a provider that creates its
 * bus from options and with a given bus (autoConnect: false) — opens no connection, asks for no
 * token, and touches no `window` (there is none in this environment: any access would throw).
 */
import { renderToString } from "react-dom/server";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createEventBus } from "../../client/index.js";
import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import { EventBusProvider } from "../../react/index.js";
import { EveryHook } from "./app.js";
import { type CountingRelay, ROOM_CLAIMS, startCountingRelay } from "./helpers.js";

let relay: CountingRelay;

beforeEach(async () => {
  relay = await startCountingRelay();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await relay.close();
});

describe("server rendering", () => {
  it("has no window here", () => {
    expect(typeof window).toBe("undefined");
    expect(typeof document).toBe("undefined");
  });

  it("with options: renders the idle state, creates no bus, asks no token, opens no connection", () => {
    const consoleError = vi.spyOn(console, "error");
    const getToken = vi.fn(() => relay.token("u1", ROOM_CLAIMS));
    const html = renderToString(
      <EventBusProvider options={{ url: relay.url, getToken }}>
        <EveryHook />
      </EventBusProvider>,
    );
    expect(html).toContain("connection: <!-- -->idle");
    expect(html).toContain("room: <!-- -->idle");
    expect(html).toContain("bus: <!-- -->not yet");
    expect(getToken).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled(); // no useLayoutEffect warning (React 18), no other
    expect(relay.counts).toMatchObject({ requests: 0, upgrades: 0, connections: 0 });
  });

  it("with a given bus (autoConnect: false): the provider does not connect it on the server", async () => {
    const getToken = vi.fn(() => relay.token("u1", ROOM_CLAIMS));
    const bus = createEventBus<PhotoEvents>({ url: relay.url, getToken, autoConnect: false });
    const html = renderToString(
      <EventBusProvider bus={bus}>
        <EveryHook />
      </EventBusProvider>,
    );
    expect(html).toContain("connection: <!-- -->idle");
    expect(html).toContain("bus: <!-- -->ready");
    expect(bus.status).toBe("idle");
    expect(bus.store.getState().rooms).toEqual({}); // no room was joined (not even as intent)
    expect(getToken).not.toHaveBeenCalled();
    // The relay was reachable all along: the same bus connects when asked.
    bus.connect();
    await vi.waitFor(() => expect(bus.status).toBe("connected"), { timeout: 10_000 });
    expect(relay.counts.connections).toBe(1);
    bus.close();
  });
});
