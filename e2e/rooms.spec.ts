/**
 * Photo rooms in Chromium: comments said before you joined (or before a reload) are shown on join,
 * once each; offline, the room and its queued comments say they will be sent on reconnect; and in
 * `?split` the second user can pick the photo the first one just finished, with no refresh.
 * No sleeps: every wait is for something the user would see.
 */
import { expect, test } from "@playwright/test";
import { comment, expectCompleted, openRoom, signIn, snap, uploadSample } from "./helpers.js";

test("a room shows its recent comments on join and after a reload, each once", async ({
  browser,
}, testInfo) => {
  const alice = await browser.newContext();
  const bob = await browser.newContext();
  const pageA = await signIn(alice, "alice");
  const photoId = await uploadSample(pageA);
  await expectCompleted(pageA, photoId);
  await openRoom(pageA, photoId);
  await comment(pageA, "First!");
  await comment(pageA, "Said before Bob came");
  const early = ["Alice: First!", "Alice: Said before Bob came"];
  await expect(pageA.getByTestId("comment")).toHaveText(early);

  // Bob joins afterwards: he sees what was said before he came, then the live conversation.
  const pageB = await signIn(bob, "bob");
  await openRoom(pageB, photoId);
  await expect(pageB.getByTestId("comment")).toHaveText(early);
  await comment(pageB, "Hello Alice");
  const all = [...early, "Bob: Hello Alice"];
  for (const page of [pageA, pageB]) await expect(page.getByTestId("comment")).toHaveText(all);

  // A reload loses nothing and shows nothing twice.
  await pageA.reload();
  await expect(pageA.getByTestId("connection-status")).toHaveText(/Connected/, { timeout: 20_000 });
  await openRoom(pageA, photoId);
  await expect(pageA.getByTestId("comment")).toHaveText(all);
  await comment(pageA, "Back after a reload");
  await expect(pageB.getByTestId("comment")).toHaveText([...all, "Alice: Back after a reload"]);
  await expect(pageA.getByTestId("comment")).toHaveText([...all, "Alice: Back after a reload"]);
  await snap(pageA, testInfo, "room-after-reload");
  await alice.close();
  await bob.close();
});

test("offline, the room and its queued comments say they will be sent on reconnect", async ({
  browser,
}, testInfo) => {
  const alice = await browser.newContext();
  const page = await signIn(alice, "alice");
  const photoId = await uploadSample(page);
  await expectCompleted(page, photoId);
  await openRoom(page, photoId);
  await expect(page.getByTestId("presence")).toHaveText(/1 watching/);

  await page.getByRole("switch", { name: "Work offline" }).check();
  await expect(page.getByTestId("connection-status")).toHaveText(/^Offline/);
  await expect(page.getByTestId("presence")).toHaveText(/^Offline: you will rejoin/);
  await comment(page, "written offline 1");
  await comment(page, "written offline 2");
  await expect(page.getByTestId("outbox-pending")).toHaveText(/2 waiting to send/);
  await expect(page.getByTestId("comment-pending")).toHaveText([
    "written offline 1 — offline, will send on reconnect",
    "written offline 2 — offline, will send on reconnect",
  ]);
  await expect(page.getByText(/Joining…|sending…/)).toHaveCount(0);
  await snap(page, testInfo, "room-offline");

  await page.getByRole("switch", { name: "Work offline" }).uncheck();
  await expect(page.getByTestId("connection-status")).toHaveText(/Connected/, { timeout: 20_000 });
  await expect(page.getByTestId("comment")).toHaveText([
    "Alice: written offline 1",
    "Alice: written offline 2",
  ]);
  await expect(page.getByTestId("comment-pending")).toHaveCount(0);
  await expect(page.getByTestId("presence")).toHaveText(/1 watching/);
  await alice.close();
});

test("?split: the second user can pick the photo the first just finished, without a refresh", async ({
  page,
}, testInfo) => {
  await page.goto("/?split");
  const left = page.getByRole("region", { name: "Left pane" });
  const right = page.getByRole("region", { name: "Right pane" });
  for (const pane of [left, right])
    await expect(pane.getByTestId("connection-status")).toHaveText(/Connected/, { timeout: 20_000 });

  const photoId = await uploadSample(left);
  await expect(right.locator(`option[value="${photoId}"]`)).toHaveCount(0); // still processing
  await expectCompleted(left, photoId);
  // No click anywhere in Bob's pane: the finished photo reaches his picker as an event.
  await expect(right.locator(`option[value="${photoId}"]`)).toHaveText(/\(alice\)/);
  await openRoom(right, photoId);
  await openRoom(left, photoId);
  await expect(right.getByTestId("presence")).toHaveText(/2 watching/);
  await snap(page, testInfo, "split-room");
});
