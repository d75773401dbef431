// runInTransaction on SQLite when the adapter's BEGIN throws: Prisma's SQLite adapter (6.19) takes its
// lock before BEGIN and keeps it then, so what matters is that our path ends nobody else's transaction.
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { expect, it } from "vitest";
import { tempStore } from "./test-store.js";
import { queryRows, runInTransaction, StaleRowError } from "./direct-sql.js";

// The adapter's own copy of better-sqlite3 (it has one under its node_modules), to make its ROLLBACK fail.
const require = createRequire(import.meta.url);
const Database = createRequire(require.resolve("@prisma/adapter-better-sqlite3"))("better-sqlite3") as typeof BetterSqlite3;
const store = tempStore("direct-sql");

const insert = (subject: string) => ({ sql: `INSERT INTO "AuditEvent" ("actor", "action", "subject") VALUES (?, ?, ?)`, args: ["test", "test.insert", subject] });
const subjects = async () => (await queryRows<{ subject: string }>(store().db, `SELECT "subject" FROM "AuditEvent" ORDER BY "id"`, [])).map((r) => r.subject);

it("commits its statements, and rolls all of them back when one fails", async () => {
  expect(await runInTransaction(store().db, [insert("a"), insert("b")])).toEqual([1, 1]);
  await expect(runInTransaction(store().db, [insert("c"), { ...insert("d"), expect: 2 }])).rejects.toThrow(StaleRowError);
  expect(await subjects()).toEqual(["a", "b"]);
});

it("says so when a ROLLBACK fails and leaves the connection inside the transaction, rather than leave it for the next BEGIN", async () => {
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: BetterSqlite3.Database, sql: string) {
    if (sql === "ROLLBACK") throw new Error("disk I/O error");
    return prepare.call(this, sql);
  } as typeof prepare;
  try {
    await expect(runInTransaction(store().db, [insert("c"), { ...insert("d"), expect: 2 }])).rejects.toThrow(/^ROLLBACK failed and left the store's connection inside a transaction \(disk I\/O error\): restart the hub$/);
  } finally {
    Database.prototype.prepare = prepare;
  }
  await queryRows(store().db, "ROLLBACK", []);
  expect(await subjects()).toEqual(["a", "b"]);
});

// Last: the adapter keeps its lock after this BEGIN, and every later transaction would wait for it.
it("rejects when BEGIN throws (the connection is inside another transaction), sending no ROLLBACK of that transaction", async () => {
  // Opened outside the adapter's lock, as a transaction left open would be.
  await queryRows(store().db, "BEGIN", []);
  await queryRows(store().db, insert("other").sql, insert("other").args);
  await expect(runInTransaction(store().db, [insert("ours")])).rejects.toThrow(/cannot start a transaction within a transaction/);
  expect(await subjects()).toEqual(["a", "b", "other"]);
  await queryRows(store().db, "ROLLBACK", []);
  expect(await subjects()).toEqual(["a", "b"]);
});
