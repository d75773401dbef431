import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["kube-sim/**/*.test.ts", "e2e/**/*.test.ts", "agent/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // End-to-end suites start real processes; running files in parallel on 2 cores only adds flakiness.
    fileParallelism: false,
  },
});
