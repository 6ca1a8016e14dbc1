/**
 * Each public entry point exports exactly the names in test/unit/public-exports.json — values and
 * types — so that an addition (or a leaked internal) is a deliberate change: update the list, and
 * document the name (README or docs/). Names are read from the entry's source (following
 * `export *`), and the runtime values are checked against the built module too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

const ENTRIES: Readonly<Record<string, string>> = {
  client: "client/index.ts",
  "client/socket-io": "client/socket-io.ts",
  "client/tabs": "client/share-tabs.ts",
  react: "react/index.ts",
  server: "relay/backend/index.ts",
  relay: "relay/index.ts",
  protocol: "protocol/index.ts",
};
const LOAD: Readonly<Record<string, () => Promise<object>>> = {
  client: () => import("../../client/index.js"),
  "client/socket-io": () => import("../../client/socket-io.js"),
  "client/tabs": () => import("../../client/share-tabs.js"),
  react: () => import("../../react/index.js"),
  server: () => import("../../relay/backend/index.js"),
  relay: () => import("../../relay/index.js"),
  protocol: () => import("../../protocol/index.js"),
};
const expected = JSON.parse(readFileSync("test/unit/public-exports.json", "utf8")) as Record<
  string,
  string[]
>;

const NAMED = /export\s+(?:type\s+)?\{([^}]*)\}/g;
const STAR = /export\s+\*\s+from\s+["']([^"']+)["']/g;
const DECLARED =
  /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:const|let|function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;

function exportedNames(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const names = [...text.matchAll(NAMED)].flatMap((m) =>
    (m[1] ?? "")
      .split(",")
      .map((part) => part.trim().replace(/^type\s+/, ""))
      .filter(Boolean)
      .map((part) => part.split(/\s+as\s+/).pop() ?? part),
  );
  names.push(...[...text.matchAll(DECLARED)].map((m) => m[1] ?? ""));
  for (const m of text.matchAll(STAR)) {
    names.push(...exportedNames(normalize(join(dirname(file), (m[1] ?? "").replace(/\.js$/, ".ts")))));
  }
  return [...new Set(names)].sort();
}

describe("public exports", () => {
  it.each(Object.entries(ENTRIES))("%s exports exactly its checked-in list", (entry, file) => {
    expect(exportedNames(file)).toEqual(expected[entry]);
  });

  it.each(Object.entries(ENTRIES))("%s: every runtime value is in the list", async (entry, file) => {
    const module = (await LOAD[entry]?.()) ?? {};
    const listed = new Set(exportedNames(file));
    expect(Object.keys(module).filter((name) => !listed.has(name))).toEqual([]);
  });

  it("every exported name is documented in README.md or docs/", () => {
    const docs = [
      readFileSync("README.md", "utf8"),
      ...readdirSync("docs").map((f) => readFileSync(join("docs", f), "utf8")),
    ].join("\n");
    const undocumented = Object.entries(expected).flatMap(([entry, list]) =>
      list
        .filter((name) => !new RegExp(`\\b${name.replace(/\$/g, "\\$")}\\b`).test(docs))
        .map((name) => `${entry}: ${name}`),
    );
    expect(undocumented).toEqual([]);
  });
});
