import { defineConfig } from "vitest/config";

// Pure functions only (manifest and values builders); a deadline above the default leaves room for a loaded 2-core machine.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
