#!/usr/bin/env node
/**
 * Extracts the README's TypeScript examples (```ts and ```tsx blocks) into .tmp/readme-examples,
 * one module per block, so `npm run typecheck` compiles them as written (test/types/registered):
 * an example that stops compiling fails the typecheck. A block whose first line is
 * `// not compiled` is skipped (shell-like pseudo code, fragments).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = ".tmp/readme-examples";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const text = readFileSync("README.md", "utf8");
const blocks = [...text.matchAll(/```(tsx?)\n([\s\S]*?)```/g)];
let written = 0;
for (const [index, [, lang, body]] of blocks.entries()) {
  if (body.startsWith("// not compiled")) continue;
  // Each block is a module of its own (top-level await and imports work as in an app's file).
  const source = /^(import|export) /m.test(body) ? body : `${body}\nexport {};\n`;
  writeFileSync(join(out, `example-${String(index + 1).padStart(2, "0")}.${lang}`), source);
  written++;
}
console.log(`extracted ${written} README examples to ${out}`);
