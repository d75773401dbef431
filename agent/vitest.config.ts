import { defineConfig } from "vitest/config";

// Agent tests reconcile against in-process fakes and the filesystem; generous for a loaded 2-core machine.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
