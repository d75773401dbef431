import { defineConfig } from "vite";

// Preact's JSX runtime through Vite's own transformer: no framework plugin needed.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false, target: "es2022" },
});
