/**
 * Figure 6 alone: EventBusClient.publish (batching off/on, recoverable publishToRoom) against raw
 * ioredis PUBLISH of the same payload, and publish → handler latency. See bench/figures/publish.ts.
 *
 *   npx tsx bench/backend-publish.ts            (≈ 25 s; starts its own redis-server on 127.0.0.1)
 *   npx tsx bench/backend-publish.ts --quick    (≈ 5 s)
 */
import { publishFigure } from "./figures/publish.js";
import { runStandalone } from "./lib/standalone.js";
import { plans } from "./plans.js";

const plan = plans(process.argv.includes("--quick"));
runStandalone(true, async (redis, log) => [
  await publishFigure({ ...plan.publish, url: redis?.url ?? "", log }),
]);
