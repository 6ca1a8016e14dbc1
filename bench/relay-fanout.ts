/**
 * Figures 1 and 2 alone (relay fan-out and memory per idle connection), with the full suite's
 * sizes: ours (relay on Redis and on the memory broker), the socket.io + redis-adapter baseline and
 * the bare `ws` reference, 1,000 and 5,000 clients in one room. See bench/figures/fanout.ts.
 *
 *   npx tsx bench/relay-fanout.ts            (≈ 6 minutes; starts its own redis-server)
 *   npx tsx bench/relay-fanout.ts --quick    (1,000 clients, one round, ≈ 20 s)
 */
import { fanoutFigures } from "./figures/fanout.js";
import { runStandalone } from "./lib/standalone.js";
import { plans } from "./plans.js";

const plan = plans(process.argv.includes("--quick"));
runStandalone(true, (redis, log) => fanoutFigures({ ...plan.fanout, redisUrl: redis?.url ?? "", log }));
