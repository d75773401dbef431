import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { privateDataDir } from "./data-dir.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-datadir-"));
const umask = process.umask();
afterAll(() => {
  process.umask(umask);
  rmSync(tmp, { recursive: true, force: true });
});

it("takes group and other access away from what an older hub left", async () => {
  const dir = join(tmp, "data");
  mkdirSync(join(dir, "git", "trees"), { recursive: true });
  writeFileSync(join(dir, "hub.db"), "");
  chmodSync(dir, 0o755);
  chmodSync(join(dir, "git", "trees"), 0o775);
  chmodSync(join(dir, "hub.db"), 0o644);
  await privateDataDir(dir);
  for (const p of [dir, join(dir, "git"), join(dir, "git", "trees")]) expect(statSync(p).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, "hub.db")).mode & 0o777).toBe(0o600);
  writeFileSync(join(dir, "new"), "");
  expect(statSync(join(dir, "new")).mode & 0o777).toBe(0o600);
});
