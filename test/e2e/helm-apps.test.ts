// Apps whose path is a Helm chart in Git: rendered by the real helm (the hub's --helm flag), with
// values files, inline values and values per target; equal values share one render.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helmBin } from "../lib/helm.js";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";

const deployment = (tag: string) => [
  "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: {{ .Release.Name }}-web",
  "spec:", "  replicas: {{ .Values.replicas }}", "  selector: {matchLabels: {app: web}}", "  template:",
  "    metadata: {labels: {app: web}}", `    spec: {containers: [{name: web, image: "nginx:${tag}"}]}`, "",
].join("\n");
const chart = {
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
  "charts/web/values.yaml": "replicas: 1\nregion: none\ntier: bronze\n",
  "charts/web/templates/deployment.yaml": deployment("1.27"),
  "charts/web/templates/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n  namespace: {{ .Release.Namespace }}\ndata:\n  region: {{ .Values.region | quote }}\n  tier: {{ .Values.tier | quote }}\n",
  "charts/web/templates/test.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-smoke\n  annotations: {helm.sh/hook: test}\nspec: {containers: [{name: t, image: busybox}]}\n",
  "values-common.yaml": "tier: gold\n",
};
const app = `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: shop}
spec:
  source: apps
  path: charts/web
  helm: {releaseName: store, valuesFiles: [../../values-common.yaml], values: {replicas: 2}}
  targets:
  - {name: eu, clusterSelector: {matchLabels: {region: eu}}, namespace: shop, helm: {values: {region: eu, replicas: 3}}}
  - {name: us, clusterSelector: {matchLabels: {region: us}}, namespace: shop, helm: {values: {region: us}}}
  - {name: eu-too, clusterSelector: {matchLabels: {region: ap}}, namespace: shop, helm: {values: {replicas: 3, region: eu}}}
`;

async function rendersTotal(f: GitFleet): Promise<number> {
  const text = await (await fetch(`http://${f.hub.http}/metrics`)).text();
  return Number(/^gitfleet_renders_total (\d+)/m.exec(text)?.[1]);
}

describe("Helm charts in Git", () => {
  let f: GitFleet;
  const store = (c: string) => f.clusters[c]!.sim.store;
  const synced = (c: string, sha: string) => waitClusterApp(f, "shop", c, `synced at ${sha.slice(0, 7)}`, (r) => r.sync === "SYNC_STATE_SYNCED" && r.appliedRevision === sha);

  beforeAll(async () => {
    f = await startGitFleet("helm-apps", { eu1: "region=eu", us1: "region=us", ap1: "region=ap" }, chart, [], ["--helm", await helmBin()]);
  });
  afterAll(() => f?.close());

  it("delivers a chart with values per target, rendering once per distinct values", async () => {
    await f.apply(app);
    const sha = f.repo.git("rev-parse", "HEAD").trim();
    await Promise.all(["eu1", "us1", "ap1"].map((c) => synced(c, sha)));
    const eu = store("eu1").get("apps/v1", "Deployment", "store-web", "shop")!;
    const us = store("us1").get("apps/v1", "Deployment", "store-web", "shop")!;
    expect((eu.spec as { replicas: number }).replicas).toBe(3);
    expect((us.spec as { replicas: number }).replicas).toBe(2);
    expect(store("eu1").get("v1", "ConfigMap", "store-config", "shop")!.data).toEqual({ region: "eu", tier: "gold" });
    expect(store("us1").get("v1", "ConfigMap", "store-config", "shop")!.data).toEqual({ region: "us", tier: "gold" });
    // The test hook is dropped: helm tests are not run.
    expect(store("eu1").get("v1", "Pod", "store-smoke", "shop")).toBeUndefined();
    // eu and eu-too have equal values: one render for both.
    expect(await rendersTotal(f)).toBe(2);
  });

  it("a chart that fails to render shows the template and line on the App and keeps clusters on their last good bundle", async () => {
    const good = f.repo.git("rev-parse", "HEAD").trim();
    const broken = await f.push({ "charts/web/templates/deployment.yaml": deployment("1.28").replace("{{ .Values.replicas }}", "{{ .Values.scale.max }}") }, "break the chart");
    const error = await waitFor("the render error", async () => {
      const a = await f.app("shop");
      return a?.errorRevision === broken ? a.error : undefined;
    });
    expect(error).toMatch(/charts\/web\/templates\/deployment\.yaml:6: helm template charts\/web: .*nil pointer evaluating/);
    for (const c of ["eu1", "us1"]) {
      const row = (await f.show("shop")).clusters.find((r) => r.cluster === c)!;
      expect(row.appliedRevision).toBe(good);
      expect(JSON.stringify(store(c).get("apps/v1", "Deployment", "store-web", "shop")!.spec)).toContain("nginx:1.27");
    }
    const fixed = await f.push({ "charts/web/templates/deployment.yaml": deployment("1.28") }, "fix the chart");
    await Promise.all(["eu1", "us1"].map((c) => synced(c, fixed)));
    expect(JSON.stringify(store("us1").get("apps/v1", "Deployment", "store-web", "shop")!.spec)).toContain("nginx:1.28");
  });
});
