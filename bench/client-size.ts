/**
 * Figure 7 alone: gzipped bundle size of an app using our `client`, our `client` + `react`,
 * socket.io-client, centrifuge, pusher-js and ably, all built with the same Vite configuration.
 * See bench/figures/bundle.ts.
 *
 *   npx tsx bench/client-size.ts
 */
import { bundleFigure } from "./figures/bundle.js";
import { runStandalone } from "./lib/standalone.js";

runStandalone(false, async (_redis, log) => [await bundleFigure(log)]);
