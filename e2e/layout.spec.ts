/**
 * The workspace laid out at the project's width (1280 px and 390 px, see playwright.config.ts),
 * with every panel in use: a finished photo with its thumbnails, a room with a comment, the
 * maintenance banner. Nothing may stick out of its panel or make the page scroll sideways, and the
 * three thumbnails must look like three sizes. A full-page screenshot is kept per width.
 */
import { expect, type Page, test } from "@playwright/test";
import { card, comment, expectCompleted, openRoom, signIn, snap, uploadSample } from "./helpers.js";

test("every panel in use fits the viewport, and small < medium < large thumbnails", async ({
  browser,
}, testInfo) => {
  const carol = await browser.newContext();
  const page = await signIn(carol, "carol"); // the admin: every panel is shown
  const photoId = await uploadSample(page);
  await expectCompleted(page, photoId);
  await openRoom(page, photoId);
  await comment(page, "Looks great on every screen");
  await expect(page.getByTestId("comment")).toHaveText(["Carol (admin): Looks great on every screen"]);
  await page.getByRole("button", { name: "Broadcast maintenance notice" }).click();
  await expect(page.getByTestId("broadcast-banner")).toBeVisible();

  const widths = await thumbnailWidths(page, photoId);
  expect(widths.small).toBeGreaterThan(0);
  expect(widths.medium).toBeGreaterThan(widths.small);
  expect(widths.large).toBeGreaterThan(widths.medium);

  expect(await horizontalOverflow(page)).toBe(0);
  expect(await outsideTheirPanel(page)).toEqual([]);
  await snap(page, testInfo, `workspace-${page.viewportSize()?.width ?? 0}px`);
  await carol.close();
});

async function thumbnailWidths(page: Page, photoId: string) {
  const width = async (size: string) =>
    (await card(page, photoId).locator(`figure[data-size="${size}"] img`).boundingBox())?.width ?? 0;
  return { small: await width("small"), medium: await width("medium"), large: await width("large") };
}

/** How far the page scrolls sideways (0 when it fits the viewport). */
function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Controls, images and cards whose box sticks out of their panel, described for the failure message. */
function outsideTheirPanel(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const panel of document.querySelectorAll<HTMLElement>(".panel, .banner, .topbar")) {
      const outer = panel.getBoundingClientRect();
      for (const el of panel.querySelectorAll<HTMLElement>("input, select, button, img, .card, figure")) {
        const box = el.getBoundingClientRect();
        if (box.width === 0) continue;
        if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) {
          const what = el.getAttribute("type") ?? el.className ?? "";
          out.push(
            `${el.tagName.toLowerCase()}[${what}] ${box.left}-${box.right} outside ${outer.left}-${outer.right}`,
          );
        }
      }
    }
    return out;
  });
}
