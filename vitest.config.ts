import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The package's entry points by name → their sources, as tsconfig.json's `paths` map them for
 * tsc: tests that import the package as an app does (test/integration/seeds) run without a build.
 */
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const PACKAGE_SOURCES = [
  { find: /^@shared-infra\/event-bus(\/server)?$/, replacement: source("./relay/backend/index.ts") },
  { find: /^@shared-infra\/event-bus\/client$/, replacement: source("./client/index.ts") },
  { find: /^@shared-infra\/event-bus\/react$/, replacement: source("./react/index.ts") },
  { find: /^@shared-infra\/event-bus\/relay$/, replacement: source("./relay/index.ts") },
  { find: /^@shared-infra\/event-bus\/protocol$/, replacement: source("./protocol/index.ts") },
];

/**
 * Test tiers (see README "Tests"):
 *  - unit:        no network, no Redis; fake clocks where time matters
 *  - integration: real redis-server processes (test/harness), real relays on port 0, real socket.io
 *  - react:       React bindings in jsdom against a real relay
 *  - chaos:       faults (Redis/relay SIGKILL, network cuts, slow consumers) and hostile input
 *                 (fuzzers, JWT attacks, floods) with counted figures; one file at a time, after the
 *                 other projects (groupOrder 1), bounded to a few minutes (docs/reliability.md)
 * Playwright specs live in e2e/ and run through `playwright test`, not Vitest.
 * An unhandled rejection or uncaught exception anywhere fails the run.
 * Waits are on conditions, with deadlines a loaded 2-core machine does not reach: `expect.poll`
 * gets 10 s instead of 1 s (test/react/setup.ts does the same for Testing Library).
 */
/** Deadline of `expect.poll` (Vitest's default, 1 s, is within reach of a busy machine). */
const POLL = { timeout: 10_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          expect: { poll: POLL },
        },
      },
      {
        resolve: { alias: PACKAGE_SOURCES },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          expect: { poll: POLL },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "react",
          include: ["test/react/**/*.test.{ts,tsx}"],
          environment: "jsdom",
          setupFiles: ["test/react/setup.ts"],
          expect: { poll: POLL },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "chaos",
          include: ["test/chaos/**/*.test.ts"],
          environment: "node",
          expect: { poll: POLL },
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          globalSetup: ["test/chaos/support/global-setup.ts"],
        },
      },
    ],
  },
});
