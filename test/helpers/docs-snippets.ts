/**
 * Runs code blocks from docs/ as they are written, so a documented example cannot rot: a block is
 * found by the heading of its section, its package imports are pointed at this repository's
 * sources (and, where a doc shows a web framework this repository does not depend on, at a small
 * stand-in with the same calls), and it is written under .tmp/ for the test to import.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The first ```ts block after the heading `heading` (e.g. "## Issuing tokens") in docs/<page>. */
export function docSnippet(page: string, heading: string): string {
  const text = readFileSync(join(ROOT, "docs", page), "utf8");
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/${page} has no heading ${JSON.stringify(heading)}`);
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(start));
  if (!block?.[1]) throw new Error(`docs/${page} has no ts block under ${JSON.stringify(heading)}`);
  return block[1];
}

/** Writes `code` as a module under .tmp/docs-snippets/ with imports replaced; returns its path. */
export function writeSnippetModule(
  name: string,
  code: string,
  imports: Readonly<Record<string, string>>,
  epilogue = "",
): string {
  let source = code;
  for (const [from, to] of Object.entries(imports)) {
    const resolved = to.startsWith(".") || to.startsWith("/") ? join(ROOT, to) : to;
    source = source.replaceAll(JSON.stringify(from), JSON.stringify(resolved));
  }
  const dir = join(ROOT, ".tmp", "docs-snippets");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.ts`);
  writeFileSync(path, `${source}\n${epilogue}\n`);
  return path;
}
