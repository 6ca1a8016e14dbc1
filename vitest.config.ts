import { defineConfig } from "vitest/config";

/**
 * Test tiers (see README "Tests"):
 *  - unit:        no network, no Redis; fake clocks where time matters
 *  - integration: real redis-server processes (test/harness), real relays on port 0, real socket.io
 *  - react:       React bindings in jsdom against a real relay
 * Playwright specs live in e2e/ and run through `playwright test`, not Vitest.
 * An unhandled rejection or uncaught exception anywhere fails the run.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "react",
          include: ["test/react/**/*.test.{ts,tsx}"],
          environment: "jsdom",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
