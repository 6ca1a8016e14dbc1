/**
 * The React tests again, on React 18 (the peer range is ^18.2 || ^19): every import of `react` and
 * `react-dom` — ours, zustand's and Testing Library's (inlined so the aliases reach them) —
 * resolves to a React 18 installed outside the project's dependencies:
 *
 *   npm i --prefix .tmp/react18 --no-save -E react@18.3.1 react-dom@18.3.1
 *   npx vitest run -c test/react/react18.vitest.config.ts
 *
 * (REACT18_DIR overrides the install folder.) Two Reacts in one tree would fail loudly
 * ("Invalid hook call"), and the first test checks the version actually rendering.
 */
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

const root = resolve(import.meta.dirname, "../..");
const modules = resolve(root, process.env.REACT18_DIR ?? ".tmp/react18", "node_modules");

export default defineConfig({
  root,
  resolve: {
    alias: [
      { find: /^react$/, replacement: resolve(modules, "react/index.js") },
      { find: /^react\/(.*)$/, replacement: `${resolve(modules, "react")}/$1` },
      { find: /^react-dom$/, replacement: resolve(modules, "react-dom/index.js") },
      { find: /^react-dom\/(.*)$/, replacement: `${resolve(modules, "react-dom")}/$1` },
      // its CommonJS entry would require() react-dom natively, past the aliases: use the ES build
      {
        find: /^@testing-library\/react$/,
        replacement: resolve(root, "node_modules/@testing-library/react/dist/@testing-library/react.esm.js"),
      },
    ],
  },
  test: {
    name: "react18",
    include: ["test/react/**/*.test.{ts,tsx}"],
    environment: "jsdom",
    setupFiles: ["test/react/setup.ts"],
    expect: { poll: { timeout: 10_000 } }, // as in vitest.config.ts
    testTimeout: 30_000,
    hookTimeout: 60_000,
    server: { deps: { inline: ["zustand", "@testing-library/react"] } },
  },
});
