import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in Debian's Chromium (/usr/bin/chromium; never `npx playwright install`).
 * The webServer is the playground itself (`npm start`), on a loopback port: `npm run test:e2e`
 * (scripts/run-e2e.mjs) picks a free one and passes it as E2E_PORT, and runs the suite twice: on the
 * memory broker and over Redis (EVENT_BUS_REDIS_URL, which the playground's start script reads).
 *
 * Two projects: every spec at 1280 px ("desktop-1280"), and the layout spec again at phone width
 * ("mobile-390"). Screenshots the specs take (`snap`) stay in test-results/<broker>/<test>-<project>/.
 */
const port = Number(process.env.E2E_PORT ?? 5179);

export default defineConfig({
  testDir: "e2e",
  outputDir: process.env.E2E_OUTPUT_DIR ?? "test-results",
  timeout: 60_000,
  // Assertions wait on what the user would see; 5 s (the default) is within reach of a loaded machine.
  expect: { timeout: 15_000 },
  retries: 0,
  workers: 1,
  reporter: "list",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
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
    },
  },
  projects: [
    { name: "desktop-1280", use: { viewport: { width: 1280, height: 900 } } },
    { name: "mobile-390", use: { viewport: { width: 390, height: 844 } }, testMatch: /layout\.spec\.ts$/ },
  ],
  webServer: {
    // The playground exactly as `npm start` runs it, with faster processing and no random failures.
    command: `npx tsx playground/server/start.ts --port ${port} --stage-delay 400 --failure-rate 0`,
    env: { PLAYGROUND_TEST_HOOKS: "1", RELAY_LOG_LEVEL: "warn" },
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});
