// Turns the hub's --data-dir / --database-url into a storage target. Never logs secrets:
// `display` is the URL without its password, safe for logs and error messages.
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { redactCredentials } from "@gitfleet/shared";

export class StoreConfigError extends Error {
  override name = "StoreConfigError";
}

export type StoreTarget =
  | { provider: "sqlite"; file: string; display: string }
  | { provider: "postgresql"; connectionString: string; schema?: string; display: string };

export const DEFAULT_SQLITE_FILE = "gitfleet.db";

const ACCEPTED =
  "accepted forms: empty (SQLite file <data-dir>/gitfleet.db), file:<path> (SQLite), " +
  "postgres://user:password@host:5432/database or postgresql://... (PostgreSQL)";

export function resolveTarget(dataDir: string, databaseUrl?: string): StoreTarget {
  const url = databaseUrl?.trim() ?? "";
  if (url === "") {
    if (!dataDir) throw new StoreConfigError("no data dir given: set --data-dir (or give a database URL)");
    const file = resolve(join(dataDir, DEFAULT_SQLITE_FILE));
    return { provider: "sqlite", file, display: file };
  }
  if (/^file:/i.test(url)) return sqliteTarget(url);
  if (/^postgres(ql)?:\/\//i.test(url)) return postgresTarget(url);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new StoreConfigError(
    `unsupported database URL${scheme ? ` scheme "${scheme}:"` : " (no scheme)"}; ${ACCEPTED}`,
  );
}

function sqliteTarget(url: string): StoreTarget {
  let path: string;
  if (/^file:\/\//i.test(url)) {
    try {
      path = fileURLToPath(url.replace(/\?.*$/, ""));
    } catch (err) {
      throw new StoreConfigError(`bad file: URL (${(err as Error).message}); use file:/absolute/path.db or file:relative/path.db`);
    }
  } else {
    path = url.slice("file:".length).replace(/\?.*$/, "");
  }
  if (path === "" || path === ":memory:") {
    throw new StoreConfigError("file: URL needs a file path (in-memory SQLite is not supported); e.g. file:/var/lib/gitfleet/gitfleet.db");
  }
  const file = isAbsolute(path) ? path : resolve(path);
  return { provider: "sqlite", file, display: file };
}

function postgresTarget(raw: string): StoreTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Do not echo the URL: it may hold a password.
    throw new StoreConfigError(
      "database URL is not a valid PostgreSQL URL (percent-encode special characters in the password); " + ACCEPTED,
    );
  }
  const schema = u.searchParams.get("schema") ?? undefined;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new StoreConfigError(`schema "${schema}" in the database URL must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)`);
  }
  u.searchParams.delete("schema");
  const connectionString = u.toString();
  return { provider: "postgresql", connectionString, schema, display: redactUrl(raw) };
}

/** The URL for logs: no password, no query (it may carry one), nothing at all if it does not parse. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.search = "";
    return redactCredentials(u.toString());
  } catch {
    return "<unparseable database URL>";
  }
}
