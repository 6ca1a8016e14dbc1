import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The playground: a Vite + React app in playground/ (run it with `npm start`, which also starts the
 * relay and the demo backend and proxies /api and /socket.io to them). The app imports the
 * package's public entry points by name, as a user's app would; the aliases point them at the
 * sources so no build step is needed.
 */
export default defineConfig({
  root: source("./playground"),
  plugins: [react()],
  resolve: {
    alias: {
      "@shared-infra/event-bus/client": source("./client/index.ts"),
      "@shared-infra/event-bus/react": source("./react/index.ts"),
    },
  },
  // Pre-bundled at start, so the first page load never triggers a "new dependencies" reload.
  optimizeDeps: {
    include: [
      "react",
      "react/jsx-runtime",
      "react/jsx-dev-runtime",
      "react-dom/client",
      "socket.io-client",
      "zustand",
      "zustand/vanilla",
    ],
  },
  server: { host: "127.0.0.1", strictPort: true },
  build: { outDir: "dist", emptyOutDir: true },
});
