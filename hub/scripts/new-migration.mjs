// Usage: npm run migration:new -w @gitfleet/hub -- <name>
// Writes prisma/migrations/{sqlite,postgresql}/<timestamp>_<name>/migration.sql with
// `prisma migrate diff` (offline, no database): from the models as of the previous migration
// (prisma/migrations/models.snapshot.prisma; empty for the first one) to prisma/models.prisma.
// Then updates the snapshot and re-embeds the migrations (scripts/generate-store.mjs).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hubDir, migrationsDir, modelsFile, prisma, providers, schemaFile, schemaText, snapshotFile } from "./store-schemas.mjs";

const name = (process.argv[2] ?? "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
if (!name) {
  console.error("usage: npm run migration:new -w @gitfleet/hub -- <name>   (e.g. add_cluster_region)");
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dirName = `${stamp}_${name}`;
const tmp = mkdtempSync(join(tmpdir(), "gitfleet-migration-"));
const models = readFileSync(modelsFile, "utf8");
const scripts = [];
try {
  for (const p of providers) {
    writeFileSync(schemaFile(p), schemaText(p, models));
    const from = ["--from-empty"];
    if (existsSync(snapshotFile)) {
      const prev = join(tmp, `prev.${p.dir}.prisma`);
      writeFileSync(prev, schemaText(p, readFileSync(snapshotFile, "utf8")));
      from.splice(0, 1, "--from-schema-datamodel", prev);
    }
    const sql = prisma(p, ["migrate", "diff", ...from, "--to-schema-datamodel", schemaFile(p), "--script"]);
    scripts.push([p, sql]);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (scripts.every(([, sql]) => /^-- This is an empty migration\.\s*$/.test(sql.trim()))) {
  console.log("no model changes since the last migration: nothing written");
  process.exit(0);
}
for (const [p, sql] of scripts) {
  const dir = join(migrationsDir, p.name, dirName);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "migration.sql"), sql.endsWith("\n") ? sql : sql + "\n");
  console.log(`wrote prisma/migrations/${p.name}/${dirName}/migration.sql`);
}
writeFileSync(snapshotFile, models);
execFileSync(process.execPath, [join(hubDir, "scripts/generate-store.mjs")], { stdio: "inherit" });
