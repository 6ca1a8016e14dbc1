/**
 * Hydration: the server's HTML (idle) is hydrated without a mismatch, and only then does the
 * provider create its bus and connect; the hooks go live.
 */
import { act, cleanup, screen } from "@testing-library/react";
import { hydrateRoot, type Root } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventBusProvider } from "../../react/index.js";
import { EveryHook } from "./app.js";
import { type CountingRelay, ROOM_CLAIMS, startCountingRelay } from "./helpers.js";

let relay: CountingRelay;
let root: Root | undefined;
let container: HTMLElement | undefined;

beforeEach(async () => {
  relay = await startCountingRelay();
});

afterEach(async () => {
  act(() => root?.unmount());
  // The provider closes its bus a grace period after unmount: wait for it, while the DOM exists.
  await vi.waitFor(() => expect(relay.relay.stats().connections).toBe(0), { timeout: 10_000 });
  container?.remove();
  cleanup();
  await relay.close();
});

describe("hydration", () => {
  it("hydrates the server HTML without mismatch, then connects and joins", async () => {
    const options = { url: relay.url, getToken: () => relay.token("u1", ROOM_CLAIMS) };
    const app = (
      <EventBusProvider options={options} gracePeriod={10}>
        <EveryHook />
      </EventBusProvider>
    );
    const html = renderToString(app);
    expect(relay.counts.upgrades).toBe(0);
    container = document.createElement("div");
    container.innerHTML = html;
    document.body.appendChild(container);
    const recoverable: unknown[] = [];
    const target = container;
    act(() => {
      root = hydrateRoot(target, app, { onRecoverableError: (error) => recoverable.push(error) });
    });
    await screen.findByText("connection: connected");
    await screen.findByText("room: joined");
    screen.getByText("watching: 1");
    screen.getByText("bus: ready");
    await relay.toRoom("photo:1", "notification.new", { title: "t", message: "m" });
    await relay.toUser("u1", "photo.processing.progress", { photoId: "1", progress: 40, stage: "resize" });
    await screen.findByText("notes: 1");
    await screen.findByText("progress: 40");
    expect(recoverable).toEqual([]);
    expect(relay.counts.connections).toBe(1);
    expect(relay.joins("photo:1")).toBe(1);
  });
});
