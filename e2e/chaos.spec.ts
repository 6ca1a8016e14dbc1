/**
 * Chaos in the browser: two users in one photo room in Chromium, the network of one of them cut
 * again and again (Playwright `setOffline`; Chromium keeps WebSockets open under emulated offline,
 * the SDK drops its connection on the browser's `offline` event) while both comment and the photo
 * worker publishes progress. Comments go both ways in every spell: the offline user's wait in the
 * outbox, the online user's must be recovered after the spell. In the end both pages show every
 * comment exactly once, in publish order, and every progress step of every photo arrived.
 * No sleeps: every wait is for something the user would see.
 */
import { expect, test } from "@playwright/test";
import { recordRow } from "../test/chaos/support/report.js";
import {
  comment,
  expectCompleted,
  openRoom,
  PROGRESS_STEPS,
  progressRows,
  signIn,
  uploadSample,
} from "./helpers.js";

const SPELLS = 4;

test("network cut again and again while both users comment and photos process: everything once, in order", async ({
  browser,
}) => {
  const alice = await browser.newContext();
  const bob = await browser.newContext();
  const pageA = await signIn(alice, "alice");
  const pageB = await signIn(bob, "bob");
  const roomPhoto = await uploadSample(pageA);
  await expectCompleted(pageA, roomPhoto);
  await openRoom(pageA, roomPhoto);
  await openRoom(pageB, roomPhoto);
  await expect(pageA.getByTestId("presence")).toHaveText(/2 watching/);

  const expected: string[] = [];
  const photos = [roomPhoto];
  for (let spell = 0; spell < SPELLS; spell++) {
    const aliceOff = spell % 2 === 0;
    const [offContext, offPage, offName] = aliceOff ? [alice, pageA, "Alice"] : [bob, pageB, "Bob"];
    const [onPage, onName] = aliceOff ? [pageB, "Bob"] : [pageA, "Alice"];
    if (aliceOff) photos.push(await uploadSample(pageA)); // its progress flows while Alice is away
    await offContext.setOffline(true);
    await expect(offPage.getByTestId("connection-status")).toHaveText(/Reconnecting|Offline/);
    // The online user's comments are published (and shown to them) while the other is away …
    for (const k of [0, 1]) {
      await comment(onPage, `spell ${spell}: ${onName} online ${k}`);
      expected.push(`${onName}: spell ${spell}: ${onName} online ${k}`);
    }
    await expect(onPage.getByTestId("comment")).toHaveCount(expected.length);
    await expect(onPage.getByTestId("comment-pending")).toHaveCount(0);
    // … the offline user's wait in the outbox and go out after them, once the network is back.
    for (const k of [0, 1]) {
      await comment(offPage, `spell ${spell}: ${offName} offline ${k}`);
      expected.push(`${offName}: spell ${spell}: ${offName} offline ${k}`);
    }
    await expect(offPage.getByTestId("comment-pending")).toHaveCount(2);
    await offContext.setOffline(false);
    await expect(offPage.getByTestId("connection-status")).toHaveText(/Connected/, { timeout: 20_000 });
    await expect(offPage.getByTestId("comment-pending")).toHaveCount(0);
  }

  for (const page of [pageA, pageB]) {
    await expect(page.getByTestId("comment")).toHaveText(expected, { timeout: 20_000 });
    await expect(page.getByTestId("outbox-pending")).toHaveCount(0);
  }
  for (const photoId of photos) await expectCompleted(pageA, photoId);
  // Offline spells of a few seconds are far inside the history (1000 events per channel): every
  // step is recovered, and no gap may be reported on the user's channel or the room.
  await expect(pageA.getByText(/State refreshed from the server/)).toHaveCount(0);
  await expect(pageA.getByText(/Some room events were lost/)).toHaveCount(0);
  await expect(progressRows(pageA, "alice")).toHaveCount(PROGRESS_STEPS * photos.length);
  const progress = PROGRESS_STEPS * photos.length;
  recordRow({
    scenario: `browser offline spells (Playwright setOffline, Chromium, playground on ${process.env.EVENT_BUS_REDIS_URL ? "Redis" : "memory"})`,
    runs: SPELLS,
    events: 2 * expected.length + progress,
    lost: 0,
    duplicated: 0,
    gaps: 0,
    maxMemoryMb: null,
    result: "pass",
    notes: `${expected.length} comments (half written offline, half missed while offline) shown once each in order on both pages; ${progress} progress events of ${photos.length} photos on Alice's page`,
  });
  await alice.close();
  await bob.close();
});
