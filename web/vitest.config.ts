import { defineConfig } from "vitest/config";

// The dashboard's pure view logic (no DOM): what the pages show is decided in plain functions beside them.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
  },
});
