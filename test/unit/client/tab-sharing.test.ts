/**
 * `shareAcrossTabs` outside a browser with Web Locks: options are checked, and the bus falls back to
 * a socket of its own (Node has BroadcastChannel but no navigator.locks). The sharing itself is
 * proven in Chromium: test/integration/client/tabs-chromium.test.ts.
 */
import { describe, expect, it } from "vitest";
import { validateEventBusOptions } from "../../../client/index.js";
import { resolveOptions } from "../../../client/options.js";
import { shareTabs } from "../../../client/share-tabs.js";
import { canShareAcrossTabs, sharedTransport } from "../../../client/tab-sharing.js";
import { isEventBusError } from "../../../protocol/errors.js";

const base = { url: "http://127.0.0.1:1", token: "t" };

describe("shareAcrossTabs", () => {
  it("is off by default; shareTabs() and shareTabs({ key }) give one group key per relay URL and key", () => {
    expect(resolveOptions(base).shareAcrossTabs).toBeNull();
    expect(resolveOptions({ ...base, shareAcrossTabs: false }).shareAcrossTabs).toBeNull();
    const all = resolveOptions({ ...base, shareAcrossTabs: shareTabs() }).shareAcrossTabs?.key;
    const alice = resolveOptions({ ...base, shareAcrossTabs: shareTabs({ key: "alice" }) }).shareAcrossTabs
      ?.key;
    expect(all).toContain(base.url);
    expect(alice).toContain("alice");
    expect(alice).not.toBe(all);
  });

  it("refuses anything but false or shareTabs() with INVALID_OPTIONS saying what to import", () => {
    // `true` and `{ key }` were the option's values before tab sharing became an opt-in entry.
    for (const bad of [true, { key: "a" }, "yes", 1, null]) {
      expect(() => validateEventBusOptions({ ...base, shareAcrossTabs: bad as never })).toThrow(
        expect.objectContaining({
          code: "INVALID_OPTIONS",
          details: { option: "shareAcrossTabs" },
          message: expect.stringContaining("@shared-infra/event-bus/client/tabs"),
        }),
      );
    }
    for (const bad of [{ key: 2 }, null]) {
      expect(() => shareTabs(bad as never)).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));
    }
    try {
      shareTabs({ key: "a", leader: true } as never);
      expect.unreachable();
    } catch (error) {
      expect(isEventBusError(error, "INVALID_OPTIONS")).toBe(true);
    }
  });

  it("falls back to a socket per bus where Web Locks are missing (nothing loaded, nothing to dispose)", () => {
    expect(canShareAcrossTabs()).toBe(false); // Node: BroadcastChannel yes, navigator.locks no
    const shared = sharedTransport(resolveOptions({ ...base, shareAcrossTabs: shareTabs() }), "k");
    expect(typeof shared.transport).toBe("function");
    expect(() => shared.dispose()).not.toThrow();
  });
});
