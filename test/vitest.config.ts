import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["kube-sim/**/*.test.ts", "e2e/**/*.test.ts", "agent/**/*.test.ts", "bench/**/*.test.ts"],
    setupFiles: ["lib/setup.ts"],
    // Real binaries on a loaded 2-core machine: generous deadlines; conditions inside are polled.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // End-to-end suites start real processes; running files in parallel on 2 cores only adds flakiness.
    fileParallelism: false,
  },
});
