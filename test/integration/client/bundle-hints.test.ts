/**
 * Issue 17, goal 6: a production browser bundle leaves the error hints out (protocol/build-mode.ts,
 * protocol/error-hints.ts), a development bundle keeps them. Built with Vite in library mode as
 * figure 7 of the benchmark does (bench/figures/bundle.ts), from the client's source.
 */
import { fileURLToPath } from "node:url";
import { build, type Rollup } from "vite";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

async function bundle(mode: "production" | "development"): Promise<string> {
  const result = await build({
    root: ROOT,
    configFile: false,
    logLevel: "silent",
    mode,
    define: { "process.env.NODE_ENV": JSON.stringify(mode) },
    build: {
      write: false,
      minify: mode === "production",
      lib: { entry: `${ROOT}client/index.ts`, formats: ["es"], fileName: "bundle" },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  return outputs
    .flatMap((o) => o.output)
    .filter((chunk): chunk is Rollup.OutputChunk => chunk.type === "chunk")
    .map((chunk) => chunk.code)
    .join("\n");
}

/** The default hint of NOT_CONNECTED and a seed option's replacement (client/option-keys.ts). */
const HINTS = ["Call connect() first, or wait for status", "The relay's URL is `url`."];
/** Messages stay in every build. */
const MESSAGE = "The event bus is not connected.";

describe("error hints in browser bundles", () => {
  it("a production bundle has the messages but not the hints", async () => {
    const code = await bundle("production");
    expect(code).toContain(MESSAGE);
    for (const hint of HINTS) expect(code).not.toContain(hint);
  }, 120_000);

  it("a development bundle keeps the hints", async () => {
    const code = await bundle("development");
    expect(code).toContain(MESSAGE);
    for (const hint of HINTS) expect(code).toContain(hint);
  }, 120_000);
});
