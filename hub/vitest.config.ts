import { defineConfig } from "vitest/config";

// Hub tests run real git, kustomize and PostgreSQL migrations; on a loaded 2-core machine these
// take many times vitest's 5 s default. Conditions inside tests are polled, so a long deadline
// only costs time when something is broken.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
