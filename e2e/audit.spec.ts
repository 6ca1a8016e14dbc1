/**
 * The durable side of the playground in Chromium: the photo worker runs as two replicas in one
 * consumer group, and the audit view lists a photo's stored events — every service's events about
 * that photo, read back from the event store, with the replica that processed it.
 */
import { expect, test } from "@playwright/test";
import { expectCompleted, signIn, snap, uploadSample } from "./helpers.js";

test("audit view: a photo's stored events, processed by one worker replica", async ({
  browser,
}, testInfo) => {
  const alice = await browser.newContext();
  const page = await signIn(alice, "alice");
  const photoId = await uploadSample(page);
  await expectCompleted(page, photoId);

  const panel = page.getByTestId("audit-panel");
  await panel.getByLabel("Audit photo").selectOption(`audit:${photoId}`);
  const rows = panel.getByTestId("audit-row");
  // The store is written off the publish path: ask again until the last events are in.
  await expect(async () => {
    await panel.getByRole("button", { name: "Show events" }).click();
    await expect(rows.filter({ hasText: "photo.processing.completed" })).toHaveCount(3, { timeout: 1000 });
  }).toPass({ timeout: 15_000 });

  await expect(rows.first()).toContainText("photo.uploaded");
  await expect(rows.filter({ hasText: "photo.processing.progress" })).toHaveCount(6);
  const workerRows = rows.filter({ hasText: /photo-worker-[ab]/ });
  const replicas = new Set(
    (await workerRows.allInnerTexts()).map((text) => /photo-worker-[ab]/.exec(text)?.[0]),
  );
  expect(replicas.size).toBe(1); // one replica of the group processed the photo, start to finish
  await expect(panel.getByTestId("audit-summary")).toContainText("stored events");
  await snap(page, testInfo, "audit-view");
  await alice.close();
});
