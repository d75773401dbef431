// `cd test && npx vitest run --config bench/vitest.config.mts`: the bench smoke test (needs `npm run build`).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  cacheDir: fileURLToPath(new URL("../node_modules/.vite-bench", import.meta.url)),
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["*.test.ts"],
    testTimeout: 60_000,
  },
});
