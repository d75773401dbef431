import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore, StoreConfigError } from "./index.js";
import { redactUrl, resolveTarget } from "./target.js";

describe("database URL", () => {
  it("defaults to <data-dir>/gitfleet.db", () => {
    expect(resolveTarget("/var/lib/gitfleet")).toEqual({ provider: "sqlite", file: "/var/lib/gitfleet/gitfleet.db", display: "/var/lib/gitfleet/gitfleet.db" });
    expect(resolveTarget("data", "  ")).toMatchObject({ provider: "sqlite", file: resolve("data/gitfleet.db") });
  });

  it("accepts file: URLs", () => {
    expect(resolveTarget("/d", "file:/tmp/x.db")).toMatchObject({ provider: "sqlite", file: "/tmp/x.db" });
    expect(resolveTarget("/d", "file:///tmp/y.db")).toMatchObject({ provider: "sqlite", file: "/tmp/y.db" });
    expect(resolveTarget("/d", "file:./rel/z.db?mode=rwc")).toMatchObject({ provider: "sqlite", file: join(process.cwd(), "rel/z.db") });
    expect(() => resolveTarget("/d", "file::memory:")).toThrow(StoreConfigError);
  });

  it("accepts postgres:// and postgresql:// and keeps secrets out of display", () => {
    const t = resolveTarget("", "postgres://hub:p%40ss@db.example:5433/gitfleet?sslmode=require&schema=fleet");
    expect(t).toMatchObject({ provider: "postgresql", schema: "fleet", display: "postgres://hub:[redacted]@db.example:5433/gitfleet" });
    expect(t.provider === "postgresql" && t.connectionString).toBe("postgres://hub:p%40ss@db.example:5433/gitfleet?sslmode=require");
    expect(resolveTarget("", "postgresql://db/x")).toMatchObject({ provider: "postgresql", schema: undefined });
    expect(redactUrl("postgresql://u:topsecret@h/db")).toBe("postgresql://u:[redacted]@h/db");
  });

  // Every error but the schema one (whose URL form is right) shows the accepted URL form.
  const FORM = "postgres://user:password@host:5432/database";
  it.each([
    ["mysql://root:pw@localhost/db", /scheme "mysql:"/, FORM],
    ["gitfleet.db", /no scheme/, FORM],
    ["http://example.com/db", /scheme "http:"/, FORM],
    ["postgres://u:topsecret@[::1/db", /not a valid PostgreSQL URL/, FORM],
    ["postgresql://h/db?schema=a;drop", /plain identifier/, "schema"],
  ])("rejects %s with StoreConfigError naming the accepted forms", (url, msg, hint) => {
    let err: unknown;
    try {
      resolveTarget("/d", url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).not.toContain("topsecret");
    expect((err as Error).message).toContain(hint);
  });

  it("openStore rejects a bad URL before touching anything", async () => {
    await expect(openStore({ dataDir: "/nonexistent", databaseUrl: "mongodb://x/y" })).rejects.toBeInstanceOf(StoreConfigError);
  });
});
