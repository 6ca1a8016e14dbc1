/**
 * The playground's details, checked in Chromium: notifications name the photo; events replayed
 * after an offline spell are marked "recovered" (live ones show a latency); no request 404s
 * (favicon included); the maintenance banner shows the start the admin chose.
 */
import { expect, type Page, test } from "@playwright/test";
import { card, expectCompleted, signIn, snap, uploadSample } from "./helpers.js";

test("the notification says which photo is ready", async ({ browser }) => {
  const alice = await browser.newContext();
  const page = await signIn(alice, "alice");
  const photoId = await uploadSample(page);
  await expectCompleted(page, photoId);
  const filename = await card(page, photoId).locator(".card-title strong").innerText();
  expect(filename).toMatch(/\.jpg$/);
  await expect(page.getByTestId("notifications")).toContainText(`Your photo "${filename}" is ready!`);
  await alice.close();
});

test("events replayed after an offline spell are marked recovered; live ones show a latency", async ({
  browser,
  request,
}, testInfo) => {
  const alice = await browser.newContext();
  const page = await signIn(alice, "alice");
  await page.getByRole("switch", { name: "Work offline" }).check();
  await expect(page.getByTestId("connection-status")).toHaveText(/^Offline/);

  // Alice's photo is uploaded and fully processed (from another device) while this page is offline.
  const session = await (await request.post("/api/sign-in", { data: { userId: "alice" } })).json();
  const auth = { authorization: `Bearer ${session.token}` };
  const upload = await request.post("/api/photos/sample", { headers: auth });
  expect(upload.status()).toBe(202);
  const { photoId } = await upload.json();
  await expect
    .poll(
      async () =>
        (await (await request.get(`/api/photos/${photoId}`, { headers: auth })).json()).photo.status,
      {
        timeout: 30_000,
      },
    )
    .toBe("completed");

  await page.getByRole("switch", { name: "Work offline" }).uncheck();
  await expect(page.getByTestId("connection-status")).toHaveText(/Connected/, { timeout: 20_000 });
  await expectCompleted(page, photoId);
  const processing = page.getByTestId("inspector-row").filter({ hasText: "photo.processing" });
  const marked = processing.filter({ has: page.getByTestId("recovered-mark") });
  await expect(marked).toHaveCount(8); // started, 6 progress steps, completed — all missed while offline
  await expect(processing).toHaveCount(8);
  await snap(page, testInfo, "inspector-recovered");

  // A photo processed while online: its events are live, with a latency and no mark.
  const live = await uploadSample(page);
  await expectCompleted(page, live);
  await expect(processing).toHaveCount(16);
  await expect(marked).toHaveCount(8);
  await expect(processing.filter({ hasNotText: "recovered" }).first()).toContainText(/\d+ ms$/);
  await alice.close();
});

test("no request fails: the favicon is served", async ({ browser, request }) => {
  const favicon = await request.get("/favicon.ico");
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toContain("image/");
  const alice = await browser.newContext();
  const failed: string[] = [];
  alice.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  const page = await signIn(alice, "alice");
  const photoId = await uploadSample(page);
  await expectCompleted(page, photoId);
  await expect.poll(() => faviconLoaded(page)).toBe(true);
  expect(failed).toEqual([]);
  await alice.close();
});

test("the maintenance banner shows the start the admin chose", async ({ browser }, testInfo) => {
  const carol = await browser.newContext();
  const bob = await browser.newContext();
  const admin = await signIn(carol, "carol");
  const user = await signIn(bob, "bob");
  // Tomorrow at 21:45, local time of the browser.
  const chosen = await admin.evaluate(() => {
    const at = new Date();
    at.setDate(at.getDate() + 1);
    at.setHours(21, 45, 0, 0);
    const pad = (n: number) => String(n).padStart(2, "0");
    return {
      input: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T21:45`,
      iso: at.toISOString(),
      shown: at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }),
    };
  });
  await admin.getByLabel("Message").fill("Database upgrade");
  await admin.getByLabel("Starts at").fill(chosen.input);
  await admin.getByRole("button", { name: "Broadcast maintenance notice" }).click();
  for (const page of [admin, user]) {
    const start = page.getByTestId("maintenance-start");
    await expect(start).toHaveAttribute("datetime", chosen.iso);
    await expect(start).toHaveText(chosen.shown);
    await expect(page.getByTestId("broadcast-banner")).toContainText("Database upgrade — starts");
  }
  await snap(user, testInfo, "maintenance-banner");
  await carol.close();
  await bob.close();
});

/** Whether the page's icon (link rel=icon) loaded, as the browser sees it. */
function faviconLoaded(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const href = document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href;
    if (!href) return false;
    const response = await fetch(href);
    return response.ok && (response.headers.get("content-type") ?? "").startsWith("image/");
  });
}

test("the badge says why it is not connected: a failing token endpoint is named, then it recovers", async ({
  browser,
}) => {
  const alice = await browser.newContext();
  const page = await signIn(alice, "alice");
  // The token endpoint (getToken → POST /api/sign-in) fails at the network level from now on.
  await page.route("**/api/sign-in", (route) => route.abort("failed"));
  await page.getByRole("switch", { name: "Work offline" }).check();
  await expect(page.getByTestId("connection-status")).toHaveText(/^Offline/);
  await page.getByRole("switch", { name: "Work offline" }).uncheck();
  const cause = page.getByTestId("connection-cause");
  await expect(cause).toContainText("getToken() failed", { timeout: 20_000 });
  await expect(cause).toHaveAttribute("title", /getToken/);
  await expect(cause).not.toContainText("connect() first");
  await page.unroute("**/api/sign-in");
  await expect(page.getByTestId("connection-status")).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(cause).toHaveCount(0);
  await alice.close();
});
