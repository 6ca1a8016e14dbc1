/**
 * Figure 18 alone: bytes and events delivered to a slow reader with and without latest-only
 * conflation. See bench/figures/latest-only.ts.
 *
 *   npx tsx bench/latest-only.ts
 */
import { latestOnlyFigure } from "./figures/latest-only.js";
import { runStandalone } from "./lib/standalone.js";

runStandalone(false, async (_redis, log) => [await latestOnlyFigure(log)]);
