/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from BENCH_PROFILE_DIR=<dir> npm run bench)
 * as plain text: self time by function and by package/folder, so docs/performance.md can say where
 * a server's time goes.
 *
 *   npx tsx bench/profile.ts <file.cpuprofile> [top=25]
 *   npx tsx bench/profile.ts <before.cpuprofile> <after.cpuprofile> [top=25]   side by side
 *
 * Samples are taken on the wall clock while the thread runs JavaScript or sits in a native call:
 * on a loaded machine a process preempted inside a write system call is sampled in `writeBuffer`,
 * so compare shares from runs at a similar load. Run under tsx (as the bench servers are), every
 * function expression created costs a `__name` call and a `set name` (esbuild's keepNames): time
 * that compiled code (dist/) does not spend.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package or source folder a script URL belongs to. */
function area(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith("node:")) return "node core";
  const own = /\/(protocol|relay\/[^/]+|bench\/[^/]+|client|test\/[^/]+)\//.exec(url);
  return own?.[1] ?? url;
}

function table(title: string, totals: Map<string, number>, total: number, top: number): string[] {
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    title,
    ...rows.map(
      ([name, us]) =>
        `${((100 * us) / total).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    ),
    "",
  ];
}

/** Nodes under a `node:inspector` frame: the profiler's own work (stopping, serialising), left out. */
function profilerNodes(nodes: readonly ProfileNode[]): Set<number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Set<number>();
  const mark = (id: number) => {
    out.add(id);
    for (const c of byId.get(id)?.children ?? []) mark(c);
  };
  for (const n of nodes) if (n.callFrame.url.startsWith("node:inspector")) mark(n.id);
  return out;
}

interface Summary {
  readonly total: number;
  readonly busy: number;
  readonly byArea: Map<string, number>;
  readonly byFunction: Map<string, number>;
}

function summarise(profile: Profile, top = 25): string {
  const { total, busy, byArea, byFunction } = tally(profile);
  return [
    `profile: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms not idle (percentages of that)`,
    "",
    ...table("self time by package / folder:", byArea, busy, top),
    ...table("self time by function:", byFunction, busy, top),
  ].join("\n");
}

/** Shares of two profiles side by side, rows ordered by the larger share. */
function compare(before: Profile, after: Profile, top = 25): string {
  const [a, b] = [tally(before), tally(after)];
  const side = (title: string, x: Map<string, number>, y: Map<string, number>) => {
    const share = (m: Map<string, number>, busy: number, name: string) => (100 * (m.get(name) ?? 0)) / busy;
    const names = [...new Set([...x.keys(), ...y.keys()])]
      .map((name) => [name, share(x, a.busy, name), share(y, b.busy, name)] as const)
      .sort((p, q) => Math.max(q[1], q[2]) - Math.max(p[1], p[2]))
      .slice(0, top);
    return [
      `${title}  (before % → after %)`,
      ...names.map(([name, p, q]) => `${p.toFixed(1).padStart(6)}% → ${q.toFixed(1).padStart(5)}%  ${name}`),
      "",
    ];
  };
  return [
    `before: ${(a.busy / 1000).toFixed(0)} ms not idle of ${(a.total / 1000).toFixed(0)} ms; after: ${(b.busy / 1000).toFixed(0)} ms of ${(b.total / 1000).toFixed(0)} ms`,
    "",
    ...side("self time by package / folder:", a.byArea, b.byArea),
    ...side("self time by function:", a.byFunction, b.byFunction),
  ].join("\n");
}

function tally(profile: Profile): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const profiler = profilerNodes(profile.nodes);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (!profiler.has(id)) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  let busy = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    const file = frame.url.split("/").slice(-1)[0] ?? "";
    const name = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
    if (frame.functionName === "(idle)") continue;
    busy += us;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const where = frame.url === "" ? frame.functionName || "(native)" : area(frame.url);
    byArea.set(where, (byArea.get(where) ?? 0) + us);
  }
  return { total, busy, byArea, byFunction };
}

const files = process.argv.slice(2).filter((arg) => arg.endsWith(".cpuprofile"));
const top = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 25);
const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Profile;
const [first, second] = files;
if (first && second) {
  process.stdout.write(`${compare(read(first), read(second), top)}\n`);
} else if (first) {
  process.stdout.write(summarise(read(first), top));
} else {
  process.stderr.write("usage: npx tsx bench/profile.ts <file.cpuprofile> [<after.cpuprofile>] [top]\n");
  process.exitCode = 2;
}
