#!/usr/bin/env node
// Writes dist/build-info.json ({commit}) into every workspace that ships a binary, after the
// (cached) turbo build, so `--version` names the commit the build came from. The commit is
// GITFLEET_COMMIT when set (image builds have no .git), else git's HEAD (+"-dirty"), else "unknown".
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function commit() {
  if (process.env.GITFLEET_COMMIT) return process.env.GITFLEET_COMMIT;
  const git = (...args) => execFileSync("git", ["-C", ROOT, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const head = git("rev-parse", "--short=12", "HEAD");
    return git("status", "--porcelain", "--untracked-files=no") ? `${head}-dirty` : head;
  } catch {
    return "unknown";
  }
}

const info = JSON.stringify({ commit: commit() }) + "\n";
const { workspaces } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(ROOT, ws, "package.json"), "utf8"));
  if (!pkg.bin || !existsSync(join(ROOT, ws, "dist"))) continue;
  writeFileSync(join(ROOT, ws, "dist", "build-info.json"), info);
}
