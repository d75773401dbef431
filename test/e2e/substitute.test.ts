// Values per cluster: `${cluster.name}`, `${cluster.labels.region}` and App variables substituted in
// the rendered output, through the real hub, agents and kube-sim; a relabel moves one cluster, an
// unset variable fails the App's render and clusters keep their last good bundle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOk } from "../lib/fleet.js";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";

const settings = (extra = "") => `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  region: "\${cluster.labels.region}"
  cluster: "\${cluster.name}"
  tier: "\${tier}"
  zone: "\${cluster.labels.zone:=any}"
  script: "echo $\${HOME}"
${extra}`;
const app = `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: regional}
spec:
  source: apps
  path: settings
  substitute: {tier: gold}
  rollout: {maxUnavailable: 100%}
  targets:
  - {name: all, clusterSelector: {matchExpressions: [{key: region, operator: Exists}]}, namespace: shop}
`;

describe("values per cluster (substitute)", () => {
  let f: GitFleet;
  const data = (c: string) => f.clusters[c]!.sim.store.get("v1", "ConfigMap", "settings", "shop")?.data as Record<string, string> | undefined;
  const synced = (c: string, sha: string) => waitClusterApp(f, "regional", c, `synced at ${sha.slice(0, 7)}`, (r) => r.sync === "SYNC_STATE_SYNCED" && r.appliedRevision === sha);
  let good = "";

  beforeAll(async () => {
    f = await startGitFleet("substitute", { "eu-1": "region=eu", "eu-2": "region=eu", "us-1": "region=us" }, { "settings/configmap.yaml": settings() });
  });
  afterAll(() => f?.close());

  it("gives each cluster its own values: its name, its region label, the App's variables, defaults and escapes", async () => {
    await f.apply(app);
    good = f.repo.git("rev-parse", "HEAD").trim();
    await Promise.all(["eu-1", "eu-2", "us-1"].map((c) => synced(c, good)));
    for (const [c, region] of [["eu-1", "eu"], ["eu-2", "eu"], ["us-1", "us"]] as const) {
      expect(data(c)).toEqual({ region, cluster: c, tier: "gold", zone: "any", script: "echo ${HOME}" });
    }
    const { app: summary, clusters } = await f.show("regional");
    expect(summary.error ?? "").toBe("");
    expect(new Set(clusters.map((c) => c.desiredDigest)).size).toBe(3);
  });

  it("gives a relabelled cluster its new value", async () => {
    await cliOk(f.hub, ["cluster", "label", "eu-2", "region=us"]);
    await waitFor("eu-2 to get region us", async () => data("eu-2")?.region === "us");
    expect(data("eu-2")).toMatchObject({ cluster: "eu-2", region: "us" });
    expect(data("eu-1")?.region).toBe("eu");
  });

  it("shows an unset variable as the App's render error and keeps every cluster on its last good bundle", async () => {
    const broken = await f.push({ "settings/configmap.yaml": settings('  flavour: "${flavour}"\n') }, "use a variable nobody sets");
    const error = await waitFor("the render error", async () => {
      const a = await f.app("regional");
      return a?.errorRevision === broken ? a.error : undefined;
    });
    expect(error).toContain("target all: ConfigMap shop/settings: data.flavour: variable flavour is not set and ${flavour} has no default");
    expect(error).toContain("app regional");
    for (const c of ["eu-1", "eu-2", "us-1"]) {
      const row = (await f.show("regional")).clusters.find((r) => r.cluster === c)!;
      expect(row.appliedRevision).toBe(good);
      expect(data(c)?.flavour).toBeUndefined();
    }
    const fixed = await f.push({ "settings/configmap.yaml": settings('  flavour: "${flavour:=vanilla}"\n') }, "give it a default");
    await Promise.all(["eu-1", "eu-2", "us-1"].map((c) => synced(c, fixed)));
    expect(data("us-1")).toMatchObject({ flavour: "vanilla", region: "us" });
    expect((await f.app("regional"))?.error ?? "").toBe("");
  });
});
