/**
 * Figure 7 — bundle size, gzipped, of an app using each SDK: one Vite library build per SDK with the
 * same configuration (browser, minified ESM, NODE_ENV=production, React external since every React
 * app already ships it). Ours: what a typical app imports — `createEventBus` (client), plus the
 * whole `react` entry (every hook and the provider) — and the same with the opt-in entries
 * (`client/socket-io`'s socketIoClient: long-polling and WebTransport; `client/tabs`'s shareTabs).
 * The others: the SDK's whole public namespace (socket.io-client alone, centrifuge, pusher-js and
 * ably, all from npm, as installed).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Rollup } from "vite";
import { ROOT } from "../lib/ipc.js";
import { type FigureResult, type TargetResult, target } from "../lib/results.js";

interface Sdk {
  readonly name: string;
  /** The entry module's source: import the SDK's namespace(s) and export them. */
  readonly source: string;
}

const CLIENT = JSON.stringify(join(ROOT, "client/index.ts"));
const REACT = JSON.stringify(join(ROOT, "react/index.ts"));
const SOCKET_IO = JSON.stringify(join(ROOT, "client/socket-io.ts"));
const TABS = JSON.stringify(join(ROOT, "client/share-tabs.ts"));

const SDKS: readonly Sdk[] = [
  { name: "ours: client", source: `export { createEventBus } from ${CLIENT};\n` },
  {
    name: "ours: client + react",
    source: `export { createEventBus } from ${CLIENT};\nexport * from ${REACT};\n`,
  },
  {
    name: "ours: client + react + socket-io + tabs",
    source:
      `export { createEventBus } from ${CLIENT};\nexport * from ${REACT};\n` +
      `export { socketIoClient } from ${SOCKET_IO};\nexport { shareTabs } from ${TABS};\n`,
  },
  { name: "socket.io-client", source: namespaces(["socket.io-client"]) },
  { name: "centrifuge", source: namespaces(["centrifuge"]) },
  { name: "pusher-js", source: namespaces(["pusher-js"]) },
  { name: "ably", source: namespaces(["ably"]) },
];

function namespaces(specifiers: readonly string[]): string {
  const lines = specifiers.map((s, i) => `import * as sdk${i} from ${JSON.stringify(s)};`);
  return `${lines.join("\n")}\nexport default [${specifiers.map((_, i) => `sdk${i}`).join(", ")}];\n`;
}

interface Size {
  /** What the app loads up front: the entry chunk and what it imports statically. */
  readonly raw: number;
  readonly gzip: number;
  /** Chunks only a dynamic import loads (ours: tab sharing's hub, client/tabs/, only with `shareAcrossTabs`). */
  readonly lazyGzip: number;
}

async function bundle(entry: string): Promise<Size> {
  const result = await build({
    root: ROOT,
    configFile: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    build: {
      write: false,
      minify: true,
      lib: { entry, formats: ["es"], fileName: "bundle" },
      rollupOptions: { external: [/^react($|\/)/, /^react-dom($|\/)/] },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunks = outputs
    .flatMap((o) => o.output)
    .filter((chunk): chunk is Rollup.OutputChunk => chunk.type === "chunk");
  const join = (list: readonly Rollup.OutputChunk[]) => list.map((chunk) => chunk.code).join("\n");
  const code = join(chunks.filter((chunk) => !chunk.isDynamicEntry));
  const lazy = join(chunks.filter((chunk) => chunk.isDynamicEntry));
  const lazyGzip = lazy.length === 0 ? 0 : gzipSync(lazy, { level: 9 }).length;
  return { raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, lazyGzip };
}

export async function bundleFigure(log: (text: string) => void): Promise<FigureResult> {
  const started = performance.now();
  // Entries live under node_modules/.cache so bare imports resolve from the project's node_modules.
  const cache = join(ROOT, "node_modules/.cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "bench-bundle-"));
  const sizes = new Map<string, Size>();
  try {
    for (const [i, sdk] of SDKS.entries()) {
      const entry = join(dir, `entry-${i}.js`);
      writeFileSync(entry, sdk.source);
      sizes.set(sdk.name, await bundle(entry));
      log(`bundle ${sdk.name}: ${((sizes.get(sdk.name)?.gzip ?? 0) / 1024).toFixed(1)} KiB gzipped`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const kib = (pick: (s: Size) => number) =>
    Object.fromEntries(
      SDKS.map((s) => [
        s.name,
        pick(sizes.get(s.name) ?? { raw: Number.NaN, gzip: Number.NaN, lazyGzip: Number.NaN }) / 1024,
      ]),
    );
  const ours = sizes.get("ours: client + react")?.gzip ?? Number.NaN;
  const centrifuge = sizes.get("centrifuge")?.gzip ?? Number.NaN;
  const targets: TargetResult[] = ["centrifuge", "pusher-js", "ably"].map((other) =>
    target(
      `client + react smaller than ${other}`,
      ours / (sizes.get(other)?.gzip ?? Number.NaN),
      `ours ÷ ${other} gzip`,
      {
        atMost: 0.999,
      },
    ),
  );
  const sio = sizes.get("socket.io-client")?.gzip ?? 0;
  const full = sizes.get("ours: client + react + socket-io + tabs");
  return {
    id: 7,
    title: "Bundle size of an app using each SDK",
    setup:
      "Vite library build per SDK, same config: browser conditions, minified ESM, NODE_ENV=production, React external; " +
      "ours: the entry imports createEventBus (+ the whole react entry; + the opt-in entries), the others: each SDK's whole namespace. gzip -9.",
    systems: SDKS.map((s) => s.name),
    metrics: [
      { name: "minified", unit: "KiB", values: kib((s) => s.raw) },
      { name: "gzipped", unit: "KiB", values: kib((s) => s.gzip) },
      { name: "loaded on demand, gzipped", unit: "KiB", values: kib((s) => s.lazyGzip) },
    ],
    targets: [
      target(
        "client + react ≤ 0.9× centrifuge (issue 17, goal 6)",
        ours / centrifuge,
        "ours ÷ centrifuge gzip",
        {
          atMost: 0.9,
        },
      ),
      ...targets,
    ],
    notes: [
      "Ours: createEventBus + the whole react entry, with the built-in WebSocket client; the last of ours adds the opt-in entries client/socket-io (socket.io-client) and client/tabs.",
      `Tab sharing's hub (client/tabs/, fetched only when a bus sets shareAcrossTabs: shareTabs()): ${full?.lazyGzip ?? 0} bytes gzipped, not in the figures above.`,
      `With socketIoClient and shareTabs: ${((full?.gzip ?? 0) / 1024).toFixed(1)} KiB gzipped (socket.io-client alone ${(sio / 1024).toFixed(1)} KiB), ${((full?.gzip ?? 0) / centrifuge).toFixed(2)}× centrifuge.`,
    ],
    durationSeconds: (performance.now() - started) / 1000,
  };
}
