// Prisma CLI config for the store scripts (scripts/generate-store.mjs, scripts/new-migration.mjs).
// engine "js" keeps the CLI offline (no schema-engine download). The schema is chosen with
// GITFLEET_STORE_PROVIDER=sqlite|postgresql; the hub itself never reads this file.
import { defineConfig } from "prisma/config";

const postgres = process.env.GITFLEET_STORE_PROVIDER === "postgresql";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: postgres ? "prisma/schema.postgres.prisma" : "prisma/schema.sqlite.prisma",
  async adapter() {
    if (postgres) {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? ":memory:" });
  },
});
