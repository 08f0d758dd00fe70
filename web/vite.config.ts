// The dashboard's build: web/ -> dist/web, static files that `day2 serve` hosts at /.
// `npm run build:web` from the repository root; `vite --config web/vite.config.ts` serves it
// for development with /api proxied to a `day2 serve` on DAY2_SERVER (default :8080).
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    // One small app: no chunk warnings below this.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { "/api": process.env.DAY2_SERVER ?? "http://127.0.0.1:8080" },
  },
});
