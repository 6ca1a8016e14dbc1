/**
 * bench/client-decode.ts in Chromium (/usr/bin/chromium, headless, driven by Playwright): the
 * same rows (bench/lib/decode-run.ts), bundled by esbuild for the browser and timed with
 * performance.now() around busy loops of decoder.add() — wall time in one tab, so read it with
 * the machine's load beside it.
 *
 *   npx tsx bench/client-decode-browser.ts [deliveries=200000] [rounds=9]
 */
import { build } from "esbuild";
import { chromium } from "playwright";

const deliveries = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 9);

const bundle = await build({
  stdin: {
    contents: `import { formatDecode, runDecode } from "./lib/decode-run.ts";
      globalThis.clientDecode = (deliveries, rounds) =>
        formatDecode(runDecode(() => performance.now() * 1000, deliveries, rounds), rounds, "Chromium " + navigator.userAgent.match(/Chrome\\/[\\d.]+/)?.[0] + ", wall time");`,
    resolveDir: new URL(".", import.meta.url).pathname,
    loader: "ts",
  },
  bundle: true,
  format: "iife",
  platform: "browser",
  minify: true,
  define: { "process.env.NODE_ENV": '"production"' },
  write: false,
  logLevel: "silent",
});
const script = bundle.outputFiles[0]?.text ?? "";

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});
try {
  const page = await browser.newPage();
  await page.addScriptTag({ content: script });
  const report = await page.evaluate(
    ([n, r]) => (globalThis as unknown as { clientDecode(n: number, r: number): string }).clientDecode(n, r),
    [deliveries, rounds] as const,
  );
  process.stdout.write(report);
} finally {
  await browser.close();
}
