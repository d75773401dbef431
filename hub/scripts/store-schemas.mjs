// Shared by the store scripts: turns prisma/models.prisma into one full schema per provider.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const hubDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const prismaDir = join(hubDir, "prisma");
export const modelsFile = join(prismaDir, "models.prisma");
export const migrationsDir = join(prismaDir, "migrations");
/** Copy of models.prisma as of the newest migration (input of the next `migrate diff`). */
export const snapshotFile = join(migrationsDir, "models.snapshot.prisma");

// The datasource urls are placeholders: `prisma generate` only needs them to resolve
// (otherwise it tries to download a query engine). The real URL is given at runtime.
export const providers = [
  { name: "sqlite", dir: "sqlite", url: "file:./placeholder.db" },
  { name: "postgresql", dir: "postgres", url: "postgresql://placeholder@127.0.0.1:5432/placeholder" },
];

export function header(p) {
  return `// GENERATED from models.prisma by scripts/generate-store.mjs. Do not edit.
generator client {
  provider            = "prisma-client"
  output              = "../generated/prisma/${p.dir}"
  engineType          = "client"
  runtime             = "nodejs"
  moduleFormat        = "esm"
  importFileExtension = "js"
}

datasource db {
  provider = "${p.name}"
  url      = "${p.url}"
}
`;
}

export function schemaText(p, models = readFileSync(modelsFile, "utf8")) {
  return header(p) + "\n" + models;
}

export function schemaFile(p) {
  return join(prismaDir, `schema.${p.dir}.prisma`);
}

/** Runs the Prisma CLI (offline, JS engine) for one provider's schema via hub/prisma.config.ts. */
export function prisma(p, args, stdio = "pipe") {
  return execFileSync("npx", ["prisma", ...args, "--config", join(hubDir, "prisma.config.ts")], {
    cwd: hubDir,
    stdio: stdio === "inherit" ? "inherit" : ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    env: { ...process.env, GITFLEET_STORE_PROVIDER: p.name, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
  });
}
