/**
 * Bundle size of the browser SDK: the `client` entry bundled with its dependencies
 * (socket.io-client, zustand) by a Vite library build (minified, ESM, browser), gzipped, next to
 * socket.io-client bundled alone the same way. Prints the figures and what our code adds.
 *
 *   npx tsx bench/client-size.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Rollup } from "vite";

const root = resolve(import.meta.dirname, "..");

async function bundle(entry: string): Promise<{ raw: number; gzip: number }> {
  const result = await build({
    root,
    configFile: false,
    logLevel: "silent",
    build: {
      write: false,
      minify: true,
      lib: { entry, formats: ["es"], fileName: "bundle" },
      rollupOptions: { external: [] },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const code = outputs
    .flatMap((o) => o.output)
    .filter((chunk): chunk is Rollup.OutputChunk => chunk.type === "chunk")
    .map((chunk) => chunk.code)
    .join("\n");
  return { raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const dir = mkdtempSync(join(tmpdir(), "client-size-"));
try {
  const sioEntry = join(dir, "socket-io-only.js");
  writeFileSync(
    sioEntry,
    `export { io, Manager, Socket } from ${JSON.stringify(join(root, "node_modules/socket.io-client/build/esm/index.js"))};\n`,
  );
  const appEntry = join(dir, "typical-app.js");
  writeFileSync(
    appEntry,
    `export { createEventBus, localStorageOutbox } from ${JSON.stringify(join(root, "client/index.ts"))};\n`,
  );
  const client = await bundle(join(root, "client/index.ts"));
  const app = await bundle(appEntry);
  const socketIo = await bundle(sioEntry);
  const added = (size: { raw: number; gzip: number }) => ({
    raw: size.raw - socketIo.raw,
    gzip: size.gzip - socketIo.gzip,
  });
  const rows = [
    ["client entry (every export) + dependencies", client],
    ["createEventBus + localStorageOutbox + deps", app],
    ["socket.io-client alone", socketIo],
    ["our code adds (every export)", added(client)],
    ["our code adds (createEventBus + storage)", added(app)],
  ] as const;
  console.log("bundle (Vite library build, minified ESM)    raw        gzip -9");
  for (const [name, size] of rows)
    console.log(`${name.padEnd(44)} ${kb(size.raw).padStart(9)}  ${kb(size.gzip).padStart(9)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
