// Guards against committing a models.prisma change without regenerating (npm run generate) or
// without a migration (npm run migration:new -- <name>).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrations } from "../../generated/migrations.js";
// @ts-expect-error plain JS helper shared with the generation scripts
import { migrationsDir, modelsFile, providers, schemaFile, schemaText, snapshotFile } from "../../scripts/store-schemas.mjs";

type P = { name: "sqlite" | "postgresql"; dir: string };

describe("generated store artifacts are up to date", () => {
  it("schema.{sqlite,postgres}.prisma match models.prisma (else: npm run generate)", () => {
    for (const p of providers as P[]) expect(readFileSync(schemaFile(p), "utf8")).toBe(schemaText(p));
  });

  it("the newest migration covers models.prisma (else: npm run migration:new -- <name>)", () => {
    expect(readFileSync(snapshotFile, "utf8")).toBe(readFileSync(modelsFile, "utf8"));
  });

  it("gen/migrations.ts embeds exactly the committed SQL (else: npm run generate)", () => {
    for (const p of providers as P[]) {
      const dir = join(migrationsDir, p.name);
      const names = readdirSync(dir).filter((n) => existsSync(join(dir, n, "migration.sql"))).sort();
      expect(migrations[p.name].map((m) => m.name)).toEqual(names);
      for (const m of migrations[p.name]) {
        const sql = readFileSync(join(dir, m.name, "migration.sql"), "utf8");
        expect(m.sql).toBe(sql);
        expect(m.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      }
    }
    expect(migrations.sqlite.map((m) => m.name)).toEqual(migrations.postgresql.map((m) => m.name));
  });
});
