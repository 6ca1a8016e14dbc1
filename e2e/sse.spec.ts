/**
 * The playground's Server-Sent Events view: a plain EventSource on the relay's GET /events (through
 * the Vite proxy) shows the user's photo progress beside the SDK, and after the relay restarts
 * mid-upload it resumes from its last id: every progress event once. Waits are for what the user sees.
 */
import { expect, test } from "@playwright/test";
import { card, expectCompleted, PROGRESS_STEPS, signIn, snap, uploadSample } from "./helpers.js";

test("the SSE view streams the user's events and resumes them across a relay restart", async ({
  browser,
  request,
}, testInfo) => {
  const alice = await browser.newContext();
  const page = await signIn(alice, "alice");
  await page.getByRole("button", { name: "Open stream" }).click();
  await expect(page.getByTestId("sse-state")).toHaveText("open", { timeout: 20_000 });
  const photoId = await uploadSample(page);
  await expect(card(page, photoId).getByTestId("photo-progress")).not.toHaveAttribute("value", "0");
  expect((await request.post("/api/test/restart-relay")).status()).toBe(204);
  await expectCompleted(page, photoId);
  const progress = page.getByTestId("sse-row").filter({ hasText: "photo.processing.progress on user:alice" });
  await expect(progress).toHaveCount(PROGRESS_STEPS, { timeout: 30_000 });
  await expect(page.getByTestId("sse-state")).toHaveText("open", { timeout: 30_000 });
  await expect(page.getByTestId("sse-row").filter({ hasText: "gap" })).toHaveCount(0);
  await snap(page, testInfo, "sse-view-after-relay-restart");
  await alice.close();
});
