import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * A schema of its own in the database at baseUrl (`<prefix>_<random>`), so runs never see each
 * other's rows: the URL that selects it, and drop() that removes it with everything in it.
 */
export function postgresSchema(baseUrl: string, prefix: string): { url: string; drop(): Promise<void> } {
  const schema = `${prefix}_${randomBytes(6).toString("hex")}`;
  const u = new URL(baseUrl);
  u.searchParams.set("schema", schema);
  return {
    url: u.toString(),
    async drop() {
      const db = new URL(baseUrl);
      db.searchParams.delete("schema");
      const client = new pg.Client({ connectionString: db.toString() });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
