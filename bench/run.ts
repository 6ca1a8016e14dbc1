/**
 * The benchmark suite: `npm run bench` (every figure, ≈ 15 minutes on 2 cores) or
 * `npm run bench -- --quick` (reduced figures 1, 2 and 6, under a minute).
 *
 *   npm run bench -- --only=1,7        only these figures (1 and 2 always run together)
 *   npm run bench -- --only=8          the capacity model across namespaced hosts (root; skipped otherwise)
 *   npm run bench -- --only=9          silent packet drops (iptables) across namespaced hosts (root + iptables)
 *   npm run bench -- --only=12         the steady-state rate ladder (issue 17's headline), ≈ 6 minutes
 *   npm run bench -- --strict          exit 1 when a target fails (default: 0 once it ran)
 *
 * Writes bench/results/latest.json and latest.md (--quick: quick.json and quick.md, not committed)
 * and prints the markdown. Every process it starts is tracked and killed on exit; every server
 * listens on 127.0.0.1; Redis instances are throwaway (test/harness), never a shared one.
 * docs/performance.md explains the figures and the systems.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startRedis } from "../test/harness/redis-server.js";
import { bundleFigure } from "./figures/bundle.js";
import { fanoutFigures } from "./figures/fanout.js";
import { groupsFigure } from "./figures/groups.js";
import { ladderFigure } from "./figures/ladder.js";
import { netnsFigure } from "./figures/netns.js";
import { netnsFaultsFigure } from "./figures/netns-faults.js";
import { publishFigure } from "./figures/publish.js";
import { recoveryFigure } from "./figures/recovery.js";
import { roomsFigure } from "./figures/rooms.js";
import { scaleOutFigure } from "./figures/scale-out.js";
import { storeFigure } from "./figures/store.js";
import { ROOT } from "./lib/ipc.js";
import { loadAverage, machineFacts } from "./lib/os-stats.js";
import { type BenchReport, type FigureResult, renderReport } from "./lib/results.js";
import { type Plan, plans } from "./plans.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const strict = args.includes("--strict");
const onlyArg = args.find((a) => a.startsWith("--only="));
const only = onlyArg ? new Set(onlyArg.slice(7).split(",").map(Number)) : null;
const plan: Plan = plans(quick);
const wanted = (id: number) => (only ? only.has(id) : plan.figures.includes(id));
/** A quick run asked for a figure outside the quick set gets the full suite's deadline. */
const deadlineSeconds = [...(only ?? [])].some((id) => !plan.figures.includes(id))
  ? plans(false).deadlineSeconds
  : plan.deadlineSeconds;
const log = (text: string) => process.stderr.write(`[bench ${elapsed()}] ${text}\n`);
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)}s`;

async function figures(): Promise<FigureResult[]> {
  const out: FigureResult[] = [];
  const redis = await startRedis();
  try {
    if (wanted(1) || wanted(2)) {
      const [one, two] = await fanoutFigures({ ...plan.fanout, redisUrl: redis.url, log });
      out.push(one, two);
    }
    if (wanted(3)) out.push(await roomsFigure({ ...plan.rooms, redisUrl: redis.url, log }));
    if (wanted(4)) out.push(await scaleOutFigure({ ...plan.scaleOut, log }));
    if (wanted(5)) out.push(await recoveryFigure({ ...plan.recovery, redis, log }));
    if (wanted(6)) out.push(await publishFigure({ ...plan.publish, url: redis.url, log }));
    if (wanted(7)) out.push(await bundleFigure(log));
    if (wanted(8)) out.push(await netnsFigure({ ...plan.netns, log }));
    if (wanted(9)) out.push(await netnsFaultsFigure(plan.netnsFaults, log));
    if (wanted(10)) out.push(await groupsFigure({ ...plan.groups, url: redis.url, log }));
    if (wanted(11)) out.push(await storeFigure({ ...plan.store, log }));
    if (wanted(12)) out.push(await ladderFigure({ ...plan.ladder, redisUrl: redis.url, log }));
  } finally {
    await redis.stop();
  }
  return out;
}

async function main(): Promise<number> {
  const watchdog = setTimeout(() => {
    log(`the suite exceeded its ${deadlineSeconds} s deadline; stopping (children are killed on exit)`);
    process.exit(2);
  }, deadlineSeconds * 1000);
  watchdog.unref();
  const startedAt = new Date().toISOString();
  const atStart = loadAverage();
  log(`${quick ? "quick" : "full"} run; load average ${atStart.join(" ")}`);
  const results = (await figures()).sort((a, b) => a.id - b.id);
  const failed = results.flatMap((f) => f.targets).filter((t) => !t.pass).length;
  const report: BenchReport = {
    schema: 1,
    mode: quick ? "quick" : "full",
    command: `npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`,
    startedAt,
    durationSeconds: (performance.now() - t0) / 1000,
    machine: machineFacts(),
    loadAverage: { atStart, atEnd: loadAverage() },
    figures: results,
    summary: { passed: results.flatMap((f) => f.targets).length - failed, failed },
  };
  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const name = quick ? "quick" : only ? "partial" : "latest";
  const markdown = renderReport(report);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), markdown);
  process.stdout.write(`${markdown}\n`);
  log(`wrote bench/results/${name}.json and ${name}.md`);
  return strict && failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
