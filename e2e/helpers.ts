/**
 * What the e2e specs do as a user would: sign in, upload, wait for a photo to finish, open a photo
 * room, comment — and read the event inspector. Waits are for what the user would see.
 */
import { type BrowserContext, expect, type Locator, type Page, type TestInfo } from "@playwright/test";

export const PROGRESS_STEPS = 6; // validating, decoding, resizing ×3, storing (playground/server/photo-worker.ts)

export async function signIn(context: BrowserContext, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`/?as=${user}`);
  await expect(page.getByTestId("connection-status")).toHaveText(/Connected/, { timeout: 20_000 });
  return page;
}

/** Generates a sample photo and resolves with its id once its card exists (`page`: a page or one pane of it). */
export async function uploadSample(page: Page | Locator): Promise<string> {
  const before = await page.getByTestId("photo-card").count();
  await page.getByRole("button", { name: "Generate a sample photo" }).click();
  await expect(page.getByTestId("photo-card")).toHaveCount(before + 1);
  const id = await page.getByTestId("photo-card").first().getAttribute("data-photo-id");
  if (!id) throw new Error("the new photo card has no id");
  return id;
}

/** Saves a screenshot under test-results/<test>/ and attaches it to the report. */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

export const card = (page: Page | Locator, photoId: string) =>
  page.locator(`[data-testid="photo-card"][data-photo-id="${photoId}"]`);

export async function expectCompleted(page: Page | Locator, photoId: string): Promise<void> {
  const photo = card(page, photoId);
  await expect(photo.getByTestId("photo-progress")).toHaveAttribute("value", "100", { timeout: 30_000 });
  await expect(photo.getByTestId("photo-stage")).toHaveText("Done");
  const thumbnails = photo.getByTestId("thumbnails").locator("img");
  await expect(thumbnails).toHaveCount(3);
  for (const image of await thumbnails.all()) {
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
  }
}

/** Joins a finished photo's room. The picker is live: another user's photo appears without a refresh. */
export async function openRoom(page: Page | Locator, photoId: string): Promise<void> {
  await expect(page.locator(`option[value="${photoId}"]`)).toHaveCount(1, { timeout: 20_000 });
  await page.getByLabel("Photo", { exact: true }).selectOption(photoId);
  await expect(page.getByTestId("presence")).toHaveText(/watching/);
}

export async function comment(page: Page | Locator, text: string): Promise<void> {
  await page.getByLabel("Comment", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** Rows of the event inspector with this type on the page's own user channel. */
export const progressRows = (page: Page, user: string) =>
  page
    .getByTestId("inspector-row")
    .filter({ hasText: "photo.processing.progress" })
    .filter({ hasText: `user:${user}` });
