/**
 * Issue 17, goal 5: the client's CPU per delivery to decode an event, without the network
 * (bench/lib/decode-run.ts says what each row measures), in Node. The same in Chromium:
 * bench/client-decode-browser.ts.
 *
 *   npx tsx bench/client-decode.ts [deliveries=200000] [rounds=5]
 *
 * tsx wraps functions for their names (keepNames), which costs the SDK's code more than
 * socket.io-parser's (already built): for figures that match a bundle, run it bundled:
 *   npx esbuild bench/client-decode.ts --bundle --platform=node --outfile=.tmp/client-decode.cjs \
 *     && node .tmp/client-decode.cjs
 */
import { formatDecode, runDecode } from "./lib/decode-run.js";

const deliveries = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);
const cpu = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
process.stdout.write(formatDecode(runDecode(cpu, deliveries, rounds), rounds, "Node, CPU time"));
