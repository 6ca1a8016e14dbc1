/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from BENCH_PROFILE_DIR=<dir> npm run bench)
 * as plain text: self time by function and by package/folder, so docs/performance.md can say where
 * a server's time goes.
 *
 *   npx tsx bench/profile.ts <file.cpuprofile> [top=25]
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

function summarise(profile: Profile, top = 25): string {
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
  return [
    `profile: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms not idle (percentages of that)`,
    "",
    ...table("self time by package / folder:", byArea, busy, top),
    ...table("self time by function:", byFunction, busy, top),
  ].join("\n");
}

const file = process.argv[2];
if (file) {
  process.stdout.write(
    summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(process.argv[3] ?? 25)),
  );
} else {
  process.stderr.write("usage: npx tsx bench/profile.ts <file.cpuprofile> [top]\n");
  process.exitCode = 2;
}
