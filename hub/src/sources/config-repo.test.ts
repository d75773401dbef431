// The hub's own config repo: its definitions are applied, and removed ones deleted if it made them.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, expect, it } from "vitest";
import { openStore } from "../store/index.js";
import { createDelivery } from "../delivery/index.js";
import { ACTOR } from "../delivery/test-harness.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-config-"));
const repo = join(tmp, "config");
const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=Ada", "-c", "user.email=a@x", ...args], { cwd: repo, encoding: "utf8" });
const doc = (kind: string, name: string, spec: string) => `apiVersion: gitfleet.dev/v1\nkind: ${kind}\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
const app = (name: string) => doc("App", name, "{source: self, path: apps, targets: [{name: all, clusterSelector: {}}]}");

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it("applies the config repo's definitions and deletes only those it created", async () => {
  mkdirSync(join(repo, "fleet"), { recursive: true });
  git("init", "-q", "-b", "main");
  writeFileSync(join(repo, "fleet", "defs.yaml"), [doc("Source", "self", `{url: "file://${repo}"}`), app("one"), app("two")].join("---\n"));
  git("add", "-A");
  git("commit", "-q", "-m", "defs");
  const store = await openStore({ dataDir: tmp });
  const delivery = createDelivery({
    db: store.db, log: pino({ level: "silent" }), dataDir: tmp, sessions: { get: () => undefined, send: () => false, clusters: () => [], sentGeneration: () => undefined }, heartbeatTimeoutMs: 30_000,
    configSource: { url: `file://${repo}`, path: "fleet", interval: "1s" },
  });
  const names = async () => (await store.db.app.findMany({ orderBy: { name: "asc" } })).map((a) => `${a.name}:${a.origin}`);
  const until = async (want: (n: string[]) => boolean) => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) if (want(await names())) return;
    throw new Error(`timed out; apps: ${(await names()).join(" ")}`);
  };
  try {
    delivery.start();
    await until((n) => n.length === 2);
    expect(await names()).toEqual([expect.stringMatching(/^one:config:defs\.yaml@/), expect.stringMatching(/^two:config:/)]);
    await delivery.apply(app("mine"), "cli", ACTOR);
    writeFileSync(join(repo, "fleet", "defs.yaml"), [doc("Source", "self", `{url: "file://${repo}"}`), app("one")].join("---\n"));
    git("commit", "-q", "-am", "drop two");
    await until((n) => n.length === 2 && n.some((x) => x.startsWith("mine:admin:cli")) && n.some((x) => x.startsWith("one:")));
  } finally {
    await delivery.stop();
    await store.close();
  }
});
