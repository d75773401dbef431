// SQLite is one hub's database: a second hub on the same file refuses to start. The lock is an
// exclusive SQLite lock on a file beside the database, held by an open connection, so the operating
// system releases it when the hub dies however it dies (no stale lock after a SIGKILL or a reboot).
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import Database from "better-sqlite3";
import { StoreConfigError } from "./target.js";

export class HubLockedError extends StoreConfigError {
  override name = "HubLockedError";
}

export interface HubLock {
  release(): void;
}

/** Takes the single-hub lock of the SQLite database `file`, or throws HubLockedError naming the holder. */
export function lockSqliteHub(file: string): HubLock {
  const lockFile = `${file}.hub-lock`;
  const ownerFile = `${file}.hub-owner`;
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
    let owner = "another gitfleet-hub";
    try {
      const o = JSON.parse(readFileSync(ownerFile, "utf8")) as { pid: number; host: string; since: string };
      owner = `gitfleet-hub pid ${o.pid} on ${o.host} (since ${o.since})`;
    } catch {
      // the holder has not written its name yet
    }
    throw new HubLockedError(
      `the SQLite database ${file} is in use by ${owner}: SQLite allows one hub. Stop that hub first, ` +
        `or run several hubs on PostgreSQL (--database-url postgres://...).`,
    );
  }
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + "\n");
  return {
    release() {
      if (!db.open) return;
      db.exec("ROLLBACK");
      db.close();
    },
  };
}
