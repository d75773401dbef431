// --source-hosts: at apply, a Source (or an App on a stored Source) the hub may not fetch is refused and
// nothing is stored; at fetch, a listed name is resolved (here by a fake DNS) and must not lead inside.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { createDelivery, type Delivery } from "./index.js";
import { ACTOR, recorder } from "./test-harness.js";
import { testRepo } from "../sources/test-repo.js";
import type { Resolve } from "../sources/hosts.js";
import { tgzOf } from "../sources/test-tar.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-source-hosts-"));
const source = (name: string, url: string, extra = "") => `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: ${name}}
spec: {url: "${url}", interval: 1h${extra}}
`;
const app = (name: string, src: string) => `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: ${name}}
spec: {source: ${src}, path: ".", targets: [{name: all, clusterSelector: {}}]}
`;
let store: Store;
const open: Delivery[] = [];
const delivery = (sourceHosts?: string[], resolveHost?: Resolve) => {
  const d = createDelivery({ db: store.db, log: pino({ level: "silent" }), dataDir: tmp, sessions: recorder().sessions, heartbeatTimeoutMs: 30_000, ...(sourceHosts ? { sourceHosts } : {}), ...(resolveHost ? { resolveHost } : {}) });
  open.push(d);
  return d;
};

beforeAll(async () => {
  store = await openStore({ dataDir: tmp });
});
afterAll(async () => {
  for (const d of open) await d.stop();
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

it("refuses a Source on a host outside --source-hosts at apply and dry run, naming the host and the flag, storing and fetching nothing", async () => {
  const hub = delivery(["127.0.0.1", "*.corp.example"]);
  const yaml = `${source("internal", "http://admin:pw@10.0.0.7:9000/repo.git")}---
${source("remote", "https://git.corp.example/fleet.git", ', allowRemoteResources: ["https://github.com/org/"]')}---
${app("web", "internal")}`;
  for (const attempt of [() => hub.apply(yaml, "fleet.yaml", ACTOR), () => hub.plan(yaml, "fleet.yaml")]) {
    const err = await attempt().then(() => undefined, (e: unknown) => e as Error & { reason: string });
    expect(err?.reason).toBe("INVALID_ARGUMENT");
    expect(err?.message).toContain(`fleet.yaml: Source/internal: spec.url: host "10.0.0.7" is not in the hub's --source-hosts`);
    expect(err?.message).toContain(`fleet.yaml: Source/remote: spec.allowRemoteResources[0]: host "github.com" is not in the hub's --source-hosts`);
    expect(err?.message).not.toContain("pw");
  }
  expect(await store.db.source.count()).toBe(0);
  expect(await store.db.app.count()).toBe(0);
  expect(existsSync(join(tmp, "git", "mirrors"))).toBe(false);
});

it("refuses an App whose stored Source the hub may no longer fetch (a narrower --source-hosts)", async () => {
  const repo = testRepo(join(tmp, "repo"));
  repo.commit({ "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" }, "one");
  await delivery().apply(source("local", repo.url), "before.yaml", ACTOR);
  const narrowed = delivery(["127.0.0.1"]);
  await expect(narrowed.apply(app("web", "local"), "web.yaml", ACTOR)).rejects.toMatchObject({
    reason: "INVALID_ARGUMENT",
    message: expect.stringContaining(`web.yaml: App/web: spec.source: Source "local" cannot be fetched: spec.url: a URL without a host (file://) is refused when the hub has --source-hosts`),
  });
  expect(await store.db.app.count()).toBe(0);
});

it("refuses an App whose stored Source allows remote resources from a host the hub no longer allows", async () => {
  await delivery().apply(source("remote", "http://127.0.0.1:9/repo.git", ', allowRemoteResources: ["https://github.com/org/"]'), "before.yaml", ACTOR);
  const narrowed = delivery(["127.0.0.1"]);
  await expect(narrowed.apply(app("web", "remote"), "web.yaml", ACTOR)).rejects.toMatchObject({
    reason: "INVALID_ARGUMENT",
    message: expect.stringContaining(`web.yaml: App/web: spec.source: Source "remote" cannot be fetched: spec.allowRemoteResources[0]: host "github.com" is not in the hub's --source-hosts`),
  });
  expect(await store.db.app.count()).toBe(0);
});

it("fetches a listed name only after resolving it: one leading to the metadata address fails on the Source, asking nothing", async () => {
  const asked: string[] = [];
  const hub = delivery(["git.fleet.test"], async (host) => (asked.push(host), ["169.254.169.254"]));
  await hub.apply(source("meta", "git://git.fleet.test:9/apps"), "meta.yaml", ACTOR);
  expect(asked).toEqual(["git.fleet.test"]);
  expect((await hub.getSource("meta")).error).toBe(`fetching source "meta" from git://git.fleet.test:9/apps: host "git.fleet.test" resolves to 169.254.169.254, an internal address (loopback, link-local or metadata) that is not in the hub's --source-hosts: list the address itself to allow it`);
});

it("fetches a listed name from the addresses it was checked to lead to (a Helm repository the fake DNS alone knows)", async () => {
  const archive = tgzOf([{ name: "web/Chart.yaml", data: "apiVersion: v2\nname: web\nversion: 1.0.0\n" }]);
  const files = new Map<string, string | Buffer>([["/index.yaml", `entries:\n  web:\n  - {name: web, version: 1.0.0, urls: [web-1.0.0.tgz]}\n`], ["/web-1.0.0.tgz", archive]]);
  const server = createServer((req, res) => void res.writeHead(files.has(req.url!) ? 200 : 404).end(files.get(req.url!)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const hub = delivery(["charts.fleet.test", "127.0.0.1"], async (host) => (host === "charts.fleet.test" ? ["127.0.0.1"] : []));
    await hub.apply(source("charts", `http://charts.fleet.test:${(server.address() as AddressInfo).port}`, ", type: helm, chart: web"), "charts.yaml", ACTOR);
    const shown = await hub.getSource("charts");
    expect(shown.error).toBe("");
    expect(shown.revision?.ref).toBe("web-1.0.0");
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
