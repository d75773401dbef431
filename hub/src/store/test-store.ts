// For tests: a SQLite store in a temporary data dir, open for the file's tests and removed after them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { openStore, type Store } from "./index.js";

/** The store, once beforeAll has opened it. */
export function tempStore(prefix: string): () => Store {
  const dir = mkdtempSync(join(tmpdir(), `gitfleet-${prefix}-`));
  let store: Store | undefined;
  beforeAll(async () => {
    store = await openStore({ dataDir: dir });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => store!;
}
