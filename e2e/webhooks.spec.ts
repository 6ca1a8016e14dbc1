/**
 * The playground's webhook delivery log in Chromium: photo events reach the demo partner endpoint
 * (a real local HTTP receiver verifying Standard Webhooks signatures, answering 503 to every third
 * request), and the panel lists each attempt — delivered ones, and retries of the refused ones,
 * each delivered on a later attempt.
 */
import { expect, test } from "@playwright/test";
import { expectCompleted, signIn, snap, uploadSample } from "./helpers.js";

test("webhook delivery log: photo events delivered to the demo endpoint, retries shown", async ({
  browser,
}, testInfo) => {
  const alice = await browser.newContext();
  const page = await signIn(alice, "alice");
  const first = await uploadSample(page);
  const second = await uploadSample(page);
  await expectCompleted(page, first);
  await expectCompleted(page, second);

  const panel = page.getByTestId("webhook-panel");
  const rows = panel.getByTestId("webhook-row");
  // The panel refreshes itself every 2 s; the log is the playground's (other users' photos too).
  const delivered = rows
    .filter({ hasText: "photo.processing.completed" })
    .and(page.locator('[data-outcome="delivered"]'));
  await expect.poll(() => delivered.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  // Four or more events and every third request refused: at least one retry, later delivered.
  await expect(page.locator('[data-testid="webhook-row"][data-outcome="retry"]').first()).toBeVisible({
    timeout: 20_000,
  });
  await expect(panel.getByTestId("webhook-summary")).toContainText("demo-partner");
  await expect(panel.getByTestId("webhook-summary")).toContainText("breaker closed");
  await snap(page, testInfo, "webhook-log");
  await alice.close();
});
