// For tests: a store open for the file's tests and removed after them: SQLite in a temporary data dir,
// or (storeOn) a PostgreSQL schema of its own on 127.0.0.1:5432/test (or GITFLEET_TEST_PG_URL).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openStore, type Store } from "./index.js";

export const PROVIDERS = ["sqlite", "postgresql"] as const;
export type Provider = (typeof PROVIDERS)[number];
const PG_URL = process.env.GITFLEET_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** The store, once beforeAll has opened it. */
export function tempStore(prefix: string): () => Store {
  return storeOn("sqlite", prefix);
}

/** A database of its own (empty, not migrated): openStore's options for it, and drop() to remove it. */
export function freshDatabase(provider: Provider, prefix: string): { dataDir: string; databaseUrl?: string; schema?: string; drop(): Promise<void> } {
  if (provider === "sqlite") {
    const dataDir = mkdtempSync(join(tmpdir(), `gitfleet-${prefix}-`));
    return { dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `${prefix.replace(/\W/g, "_")}_${randomBytes(5).toString("hex")}`;
  const u = new URL(PG_URL);
  u.searchParams.set("schema", schema);
  return {
    dataDir: "/nonexistent/not-used-by-postgres",
    databaseUrl: u.toString(),
    schema,
    async drop() {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A client of the test PostgreSQL database (freshDatabase's schemas live there). */
export async function testPgClient(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await c.connect().catch((err: unknown) => {
    throw new Error(`PostgreSQL tests need a server at ${PG_URL} (or set GITFLEET_TEST_PG_URL): ${(err as Error).message}`);
  });
  return c;
}

/** The store on the provider, once beforeAll has opened it. */
export function storeOn(provider: Provider, prefix: string): () => Store {
  const database = freshDatabase(provider, prefix);
  let store: Store | undefined;
  beforeAll(async () => {
    store = await openStore(database);
  });
  afterAll(async () => {
    await store?.close();
    await database.drop();
  });
  return () => store!;
}
