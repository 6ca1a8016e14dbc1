/**
 * Figures 10 and 11 alone: consumer groups (1, 2, 3 consumers) against plain PUBLISH/SUBSCRIBE, and
 * the PostgreSQL event store's write and read throughput. See bench/figures/groups.ts and store.ts.
 *
 *   npx tsx bench/durable.ts            (≈ 3 minutes; starts its own redis-server and PostgreSQL)
 *   npx tsx bench/durable.ts --quick    (≈ 30 s)
 *   npx tsx bench/durable.ts --only=10  (one of them)
 */
import { groupsFigure } from "./figures/groups.js";
import { storeFigure } from "./figures/store.js";
import { runStandalone } from "./lib/standalone.js";
import { plans } from "./plans.js";

const plan = plans(process.argv.includes("--quick"));
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
runStandalone(true, async (redis, log) => [
  ...(only === undefined || only === "10"
    ? [await groupsFigure({ ...plan.groups, url: redis?.url ?? "", log })]
    : []),
  ...(only === undefined || only === "11" ? [await storeFigure({ ...plan.store, log })] : []),
]);
