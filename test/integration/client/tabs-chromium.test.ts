/**
 * One connection for all tabs (shareAcrossTabs), proven in Debian's Chromium: five tabs of one
 * browser context hold one socket at the relay; each receives every event of a 2,000-event run
 * exactly once and in order, also when the leader tab is closed mid-run; a follower's publishes
 * (offline outbox, and publishes in flight when the leader dies) reach the relay once; the React
 * hooks show the right state in every tab. Waits are on conditions only.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "@playwright/test";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeliveredEvent } from "../../../client/index.js";
import { closeAllBuses, collect, ROOM_CLAIMS, range, testBus } from "../../helpers/client-bus.js";
import { RELAY_BROKERS, type RelayBrokerKind, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { metric } from "../../helpers/relay-metrics.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

const TABS = 5;
const EVENTS = Number(process.env.TABS_EVENTS ?? 2000);
const LONG = { timeout: 90_000 };

let relay: TestRelay;
let site: Server;
let siteUrl: string;
let browser: Browser;
let outdir: string;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), "tabs-page-"));
  await build({
    entryPoints: [new URL("./tabs-page.tsx", import.meta.url).pathname],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    jsx: "automatic",
    outdir,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  site = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/token") {
      void relay.token(url.searchParams.get("user") ?? "alice", ROOM_CLAIMS).then((token) => res.end(token));
      return;
    }
    if (url.pathname === "/") {
      res.setHeader("content-type", "text/html");
      res.end('<!doctype html><div id="root"></div><script type="module" src="/tabs-page.js"></script>');
      return;
    }
    try {
      const body = readFileSync(join(outdir, url.pathname.slice(1)));
      res.setHeader("content-type", extname(url.pathname) === ".js" ? "text/javascript" : "text/plain");
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  const address = site.address();
  siteUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** A relay on the fixture's broker for the tests of one describe block. */
function useRelay(kind: RelayBrokerKind): void {
  const fixture = useBrokerFixture(kind);
  beforeAll(async () => {
    // The run publishes 2,000 events as fast as the broker takes them: a retention window of 5,000
    // covers whatever is published while leadership moves (recovery is within the window).
    relay = await startTestRelay({ broker: { ...fixture.current.config(), history: { maxLength: 5000 } } });
  }, 60_000);
  afterAll(async () => {
    closeAllBuses();
    await relay?.close();
  });
}

async function openTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  if (process.env.TABS_DEBUG) {
    page.on("console", (m) => console.log(`[tab] ${m.text()}`));
    page.on("pageerror", (e) => console.log(`[tab error] ${e.message}`));
  }
  await page.goto(siteUrl);
  await page.waitForFunction(() => typeof window.tabs === "object");
  await page.evaluate((url) => window.tabs.start(url, "alice"), relay.url);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="room"]')?.textContent === "joined",
    null,
    {
      timeout: 60_000,
    },
  );
  return page;
}

const connections = () => metric(relay.url, "eventbus_relay_connections");
const received = (page: Page) => page.evaluate(() => window.tabs.received());
const shown = (page: Page, id: string) => page.getByTestId(id).textContent();

describe.each(RELAY_BROKERS)("shareAcrossTabs in Chromium, on %s", (kind) => {
  useRelay(kind);
  it(
    "5 tabs, 1 connection; 2,000 events exactly once in order in every tab, across the leader's close; follower publishes reach the relay once",
    LONG,
    async () => {
      const context = await browser.newContext();
      const leader = await openTab(context); // the first tab takes the leader lock
      const followers: Page[] = [];
      for (let i = 1; i < TABS; i++) followers.push(await openTab(context));
      const tabs = [leader, ...followers];
      await expect.poll(connections, { timeout: 30_000 }).toBe(1);
      expect(relay.relay.io.of("/").adapter.rooms.get("room:photo:1")?.size).toBe(1); // one socket in the room
      for (const tab of tabs) {
        expect(await shown(tab, "status")).toBe("connected");
        expect(Number(await shown(tab, "members"))).toBe(1); // one user, one shared connection
      }

      // Someone else in the rooms the tabs publish to, to count what reaches the relay.
      const observer = testBus(relay.url, () => relay.token("observer", ROOM_CLAIMS));
      const comments = collect(observer, "comment.added");
      await observer.joinRoom("photo:2");
      await expect.poll(connections).toBe(2);

      // A follower's offline outbox: kept while its bus is disconnected, sent once through the leader.
      const writer = followers[0] as Page;
      await writer.evaluate(() => window.tabs.disconnect());
      await writer.evaluate(() => window.tabs.publish("photo:2", 0, 20));
      expect(await writer.evaluate(() => window.tabs.pending())).toBe(20);
      await writer.evaluate(() => window.tabs.connect());
      await comments.waitFor(20, 30_000);

      for (let i = 0; i < EVENTS; i++) {
        if (i === Math.floor(EVENTS * 0.35)) {
          // Publishes in flight through the leader, then the leader tab closes.
          await writer.evaluate(() => window.tabs.publish("photo:2", 20, 200));
          await leader.close();
        }
        await publishEvent(relay.broker, "room:photo:1", "tick", { i });
      }

      for (const tab of followers) {
        await expect
          .poll(async () => (await received(tab)).length, { timeout: 60_000 })
          .toBeGreaterThanOrEqual(EVENTS);
        expect(await received(tab)).toEqual(range(EVENTS)); // 0 lost, 0 duplicated, in order
        await expect.poll(() => shown(tab, "last"), { timeout: 30_000 }).toBe(String(EVENTS - 1));
        expect(await shown(tab, "status")).toBe("connected");
        expect(await shown(tab, "gaps")).toBe("0");
      }
      await expect.poll(connections, { timeout: 30_000 }).toBe(2); // the new leader's socket + the observer

      await comments.waitFor(220, 60_000);
      await expect.poll(() => writer.evaluate(() => window.tabs.pending()), { timeout: 30_000 }).toBe(0);
      const seen = comments.items.map((event: DeliveredEvent) => (event.data as { i: number }).i);
      expect([...seen].sort((a, b) => a - b)).toEqual(range(220)); // each publish reached the relay once
      observer.close();
      await context.close();
      await expect.poll(connections, { timeout: 30_000 }).toBe(0);
    },
  );

  // The leader stops running (frozen by the browser, it keeps its lock): a visible follower takes the lock over.
  // Registered on the memory broker only (no skipped entries elsewhere): the takeover does not depend on the broker.
  if (kind === "memory")
    it(
      "a frozen leader is replaced; every tab, the leader too once thawed, gets every event once",
      LONG,
      async () => {
        const context = await browser.newContext();
        const leader = await openTab(context);
        const followers = [await openTab(context), await openTab(context)];
        await expect.poll(connections, { timeout: 30_000 }).toBe(1);
        const cdp = await context.newCDPSession(leader);
        // Page.setWebLifecycleState("frozen") keeps running network and BroadcastChannel tasks in
        // Chromium; a debugger pause stops all of the page's JavaScript, as a real freeze does.
        await cdp.send("Debugger.enable");
        await cdp.send("Debugger.pause");
        const count = 300;
        for (let i = 0; i < count; i++) await publishEvent(relay.broker, "room:photo:1", "tick", { i });
        for (const tab of followers) {
          await expect
            .poll(async () => (await received(tab)).length, { timeout: 60_000 })
            .toBeGreaterThanOrEqual(count);
          expect(await received(tab)).toEqual(range(count));
        }
        await cdp.send("Debugger.resume");
        await expect
          .poll(async () => (await received(leader)).length, { timeout: 60_000 })
          .toBeGreaterThanOrEqual(count);
        expect(await received(leader)).toEqual(range(count));
        await expect.poll(connections, { timeout: 60_000 }).toBe(1); // the old leader closed its socket
        await context.close();
      },
    );
});
