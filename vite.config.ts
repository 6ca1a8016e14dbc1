import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The playground: a Vite + React app in playground/ (run it with `npm start`). */
export default defineConfig({
  root: fileURLToPath(new URL("./playground", import.meta.url)),
  plugins: [react()],
  server: { host: "127.0.0.1", strictPort: true },
  build: { outDir: "dist", emptyOutDir: true },
});
