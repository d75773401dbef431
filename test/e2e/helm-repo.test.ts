// Apps from an HTTP Helm repository (a Source of type helm) on loopback, with basic auth: charts
// packaged and indexed by the real helm, rendered by the real helm through the hub, agents and kube-sim.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChartRepo, type ChartRepo } from "../lib/chart-repo.js";
import { helmBin } from "../lib/helm.js";
import { cli, cliOk } from "../lib/fleet.js";
import { githubPush } from "../lib/clusters.js";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";
import { showSource, type AuditJson, type SourceJson } from "../lib/admin.js";

const AUTH = { username: "ci", password: "chart-s3cret" };
const HOOK = "charts-hook";

const chart = {
  "Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.0.0\n",
  "values.yaml": "replicas: 1\nregion: none\n",
  "templates/deployment.yaml": [
    "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: {{ .Release.Name }}-web",
    "spec:", "  replicas: {{ .Values.replicas }}", "  selector: {matchLabels: {app: web}}", "  template:",
    "    metadata: {labels: {app: web}}", "    spec: {containers: [{name: web, image: \"nginx:{{ .Chart.AppVersion }}\"}]}", "",
  ].join("\n"),
  "templates/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  chart: {{ .Chart.Version | quote }}\n  region: {{ .Values.region | quote }}\n",
};

const source = (password: string) => `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: charts}
spec:
  type: helm
  url: "{URL}"
  chart: web
  version: "^1.0.0"
  interval: 1h
  credentials: {username: ${AUTH.username}, password: ${password}}
  webhookSecret: ${HOOK}
`;
const app = `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: web}
spec:
  source: charts
  helm: {releaseName: shop, values: {replicas: 2}}
  targets:
  - {name: eu, clusterSelector: {matchLabels: {region: eu}}, namespace: shop, helm: {values: {region: eu, replicas: 3}}}
  - {name: us, clusterSelector: {matchLabels: {region: us}}, namespace: shop, helm: {values: {region: us}}}
`;

type ChartSourceJson = SourceJson & { revision?: { sha: string; ref: string; message: string } };

describe("Apps from an HTTP Helm repository", () => {
  let f: GitFleet;
  let repo: ChartRepo;
  const store = (c: string) => f.clusters[c]!.sim.store;
  const sourceJson = async () => (await showSource(f.hub, "charts")) as ChartSourceJson;
  const synced = (c: string, version: string) =>
    waitClusterApp(f, "web", c, `synced at chart ${version}`, (r) => r.sync === "SYNC_STATE_SYNCED" && r.appliedRevision?.startsWith(`${version}@sha256:`) === true);
  const webhook = async () => expect(await githubPush(f.hub.http, "charts", HOOK)).toBe(202);

  beforeAll(async () => {
    repo = await startChartRepo("helm-repo", AUTH);
    await repo.publish(chart, "1.0.0", "1.25");
    await repo.publish(chart, "1.1.0", "1.26");
    await repo.publish(chart, "2.0.0", "2.0"); // outside ^1.0.0
    f = await startGitFleet("helm-repo", { eu1: "region=eu", us1: "region=us" }, { "README.md": "charts come from a Helm repository\n" }, [], ["--helm", await helmBin(), "--source-hosts", "127.0.0.1"]);
  });
  afterAll(async () => {
    await f?.close();
    await repo?.close();
  });

  it("delivers the highest chart version in the range, with values per target", async () => {
    await f.apply(`${source(AUTH.password).replace("{URL}", repo.url)}---\n${app}`);
    await Promise.all(["eu1", "us1"].map((c) => synced(c, "1.1.0")));
    const eu = store("eu1").get("apps/v1", "Deployment", "shop-web", "shop")!;
    expect((eu.spec as { replicas: number }).replicas).toBe(3);
    expect(JSON.stringify(eu.spec)).toContain("nginx:1.26");
    expect(store("us1").get("v1", "ConfigMap", "shop-config", "shop")!.data).toEqual({ chart: "1.1.0", region: "us" });
    const shown = await sourceJson();
    expect(shown).toMatchObject({ follow: "chart:web@^1.0.0", revision: { ref: "web-1.1.0", message: "web 1.1.0 (app 1.26)" } });
    expect(shown.error ?? "").toBe("");
    // Only the configured repository was asked, and never for the version outside the range.
    expect(repo.requests.every((r) => r.status === 200)).toBe(true);
    expect(repo.requests.map((r) => r.path)).not.toContain("/charts/web-2.0.0.tgz");
  });

  it("moves the clusters to a new version published within the range (webhook), ignoring one outside it", async () => {
    await repo.publish(chart, "2.1.0", "2.1");
    await repo.publish(chart, "1.2.0", "1.27");
    await webhook();
    await Promise.all(["eu1", "us1"].map((c) => synced(c, "1.2.0")));
    expect(JSON.stringify(store("eu1").get("apps/v1", "Deployment", "shop-web", "shop")!.spec)).toContain("nginx:1.27");
    expect(store("eu1").get("v1", "ConfigMap", "shop-config", "shop")!.data).toEqual({ chart: "1.2.0", region: "eu" });
  });

  it("wrong credentials show a clear error on the Source and keep clusters on their last good bundle", async () => {
    const before = (await f.show("web")).clusters.map((c) => c.appliedRevision);
    // apply fetches at once: the Source shows the refusal when it returns.
    await f.apply(`${source("not-the-password").replace("{URL}", repo.url)}---\n${app}`);
    const refused = await sourceJson();
    expect(refused.error).toMatch(/401 Unauthorized/);
    await repo.publish(chart, "1.3.0", "1.28");
    await webhook();
    const shown = await waitFor("the webhook's fetch", async () => {
      const s = await sourceJson();
      return s.lastFetchedAt !== refused.lastFetchedAt ? s : undefined;
    });
    expect(shown.error).toBe(`fetching source "charts" from ${repo.url}/index.yaml: 401 Unauthorized: the repository refused the credentials (spec.credentials)`);
    expect(shown.revision?.ref).toBe("web-1.2.0");
    const text = await cliOk(f.hub, ["source", "show", "charts"]); // what a user sees, through the CLI
    expect(text).toContain("401 Unauthorized");
    expect(text).not.toContain("not-the-password");
    // The failed fetch is done and recorded: clusters still run 1.2.0.
    expect((await f.show("web")).clusters.map((c) => c.appliedRevision)).toEqual(before);
    expect(store("us1").get("v1", "ConfigMap", "shop-config", "shop")!.data).toEqual({ chart: "1.2.0", region: "us" });

    // Credentials fixed: the version published meanwhile arrives.
    await f.apply(`${source(AUTH.password).replace("{URL}", repo.url)}---\n${app}`);
    await Promise.all(["eu1", "us1"].map((c) => synced(c, "1.3.0")));
    expect((await sourceJson()).error ?? "").toBe("");
    // Credentials are never logged.
    expect(f.hub.output()).not.toMatch(/chart-s3cret|not-the-password/);
  });

  it("a chart whose dependency is not vendored fails to render naming it, and clusters stay on the last good version", async () => {
    const good = (await f.show("web")).clusters.map((c) => c.appliedRevision);
    expect(good).toEqual(Object.keys(f.clusters).map(() => expect.stringMatching(/^1\.3\.0@/)));
    await repo.publishUnchecked({ ...chart, "Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.4.0\ndependencies:\n- {name: redis, version: 1.x, repository: 'https://charts.example/'}\n" }, "1.4.0");
    await webhook();
    const error = await waitFor("the render error", async () => {
      const a = await f.app("web");
      return a?.errorRevision?.startsWith("1.4.0@sha256:") ? a.error : undefined;
    });
    expect(error).toContain("Chart.yaml: dependencies not vendored in charts/: redis (rendering has no network");
    expect((await f.show("web")).clusters.map((c) => c.appliedRevision)).toEqual(good);
    expect(store("eu1").get("v1", "ConfigMap", "shop-config", "shop")!.data).toEqual({ chart: "1.3.0", region: "eu" });
  });

  it("refuses at apply a Source on a host outside --source-hosts (the same server by another name), storing it nowhere and asking it nothing", async () => {
    const asked = repo.requests.length;
    const r = await cli(f.hub, ["apply", "-f", "-"], source(AUTH.password).replace("{URL}", repo.url.replace("127.0.0.1", "localhost")).replace("name: charts", "name: elsewhere"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Source/elsewhere: spec.url: host "localhost" is not in the hub's --source-hosts`);
    expect((await cli(f.hub, ["source", "show", "elsewhere"])).code).not.toBe(0);
    expect(repo.requests.length).toBe(asked);
  });

  it("pages the audit log through the CLI: the newest events by default or --limit, every one with --all", async () => {
    const both = await cli(f.hub, ["audit", "--all", "--limit", "2"]);
    expect([both.code, both.stderr.trim()]).toEqual([2, "error: audit takes --limit or --all, not both"]);
    const every = JSON.parse(await cliOk(f.hub, ["audit", "--all", "-o", "json"])) as AuditJson[];
    expect(every.length).toBeGreaterThan(4);
    const ids = every.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const newest = await cli(f.hub, ["audit", "--limit", "2", "-o", "json"]);
    expect([newest.code, JSON.parse(newest.stdout)]).toEqual([0, every.slice(-2)]);
    expect(newest.stderr).toContain("older events not shown: --limit N (up to 5000) or --all");
    expect(JSON.parse(await cliOk(f.hub, ["audit", "-o", "json"]))).toEqual(every); // fewer than a default page
  });
});
