/**
 * The dependency rules of the source tree, checked over the real import graph (every static and
 * dynamic import and re-export of every source file):
 *   - protocol/ (the wire contract) imports nothing of ours and no package;
 *   - common/ (runtime helpers) imports only common/ and no package;
 *   - client/ and react/ never import relay/; client/ never imports react/;
 *   - relay/edge and relay/backend never import each other; brokers and auth import neither (nor cli);
 *   - relay/webhooks builds on the backend, brokers and the contract, never on relay/edge; the backend
 *     reaches it only from its entry (index.ts re-exports createWebhookDispatcher);
 *   - browser code uses only its few packages (socket.io-client, zustand, react).
 * docs/architecture.md shows the same rules as a table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

const SOURCE_ROOTS = ["protocol", "common", "client", "react", "relay"];
const IMPORT =
  /(?:import|export)\s[^'";]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

interface Edge {
  readonly from: string;
  /** The imported repo path (relative imports), or the package name. */
  readonly to: string;
  readonly isPackage: boolean;
}

function edges(): Edge[] {
  return SOURCE_ROOTS.flatMap(sourceFiles).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => {
      const spec = m[1] ?? m[2] ?? m[3] ?? "";
      return spec.startsWith(".")
        ? { from: file, to: normalize(join(dirname(file), spec)), isPackage: false }
        : { from: file, to: spec, isPackage: true };
    }),
  );
}

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const all = edges();
const ours = (folder: string) => all.filter((e) => under(e.from, folder) && !e.isPackage);
const packages = (folder: string) => all.filter((e) => under(e.from, folder) && e.isPackage);
const names = (list: readonly Edge[]) => list.map((e) => `${e.from} → ${e.to}`);

describe("import rules", () => {
  it("found the source tree", () => {
    expect(all.length).toBeGreaterThan(200);
  });

  it("protocol/ imports nothing of ours and no package", () => {
    expect(names(ours("protocol").filter((e) => !under(e.to, "protocol")))).toEqual([]);
    expect(names(packages("protocol"))).toEqual([]);
  });

  it("common/ imports only common/ and no package", () => {
    expect(names(ours("common").filter((e) => !under(e.to, "common")))).toEqual([]);
    expect(names(packages("common"))).toEqual([]);
  });

  it("client/ imports only the contract, common/ and itself; react/ adds client/", () => {
    const allowed = (folders: string[]) => (e: Edge) => folders.some((f) => under(e.to, f));
    expect(names(ours("client").filter((e) => !allowed(["client", "protocol", "common"])(e)))).toEqual([]);
    expect(
      names(ours("react").filter((e) => !allowed(["react", "client", "protocol", "common"])(e))),
    ).toEqual([]);
  });

  it("browser code uses only socket.io-client, zustand and react", () => {
    const ok = /^(socket\.io-client|zustand(\/vanilla|\/react)?|react(\/jsx-runtime)?)$/;
    expect(names([...packages("client"), ...packages("react")].filter((e) => !ok.test(e.to)))).toEqual([]);
  });

  it("relay/edge and relay/backend never import each other", () => {
    expect(names(ours("relay/edge").filter((e) => under(e.to, "relay/backend")))).toEqual([]);
    expect(names(ours("relay/backend").filter((e) => under(e.to, "relay/edge")))).toEqual([]);
  });

  it("brokers and auth import neither the relay, the backend nor the CLI; nothing imports the CLI", () => {
    const upper = ["relay/edge", "relay/backend", "relay/cli"];
    for (const folder of ["relay/brokers", "relay/auth"]) {
      expect(names(ours(folder).filter((e) => upper.some((u) => under(e.to, u))))).toEqual([]);
    }
    const outside = all.filter(
      (e) => !under(e.from, "relay/cli") && !e.isPackage && under(e.to, "relay/cli"),
    );
    expect(names(outside)).toEqual([]);
  });

  it("relay/webhooks never imports relay/edge; the backend imports it only from its entry", () => {
    expect(names(ours("relay/webhooks").filter((e) => under(e.to, "relay/edge")))).toEqual([]);
    const intoWebhooks = ours("relay/backend").filter(
      (e) => under(e.to, "relay/webhooks") && e.from !== "relay/backend/index.ts",
    );
    expect(names(intoWebhooks)).toEqual([]);
    expect(names(ours("relay/edge").filter((e) => under(e.to, "relay/webhooks")))).toEqual([]);
  });

  it("relay/ never imports the browser SDK or the React bindings", () => {
    expect(names(ours("relay").filter((e) => under(e.to, "client") || under(e.to, "react")))).toEqual([]);
  });
});
