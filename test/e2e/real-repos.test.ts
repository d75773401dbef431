// What real repositories hit: target namespaces that do not exist yet, empty paths, Helm charts below plain manifests and
// kustomize folders read without an overlay; messages as `gitfleet app list|show` prints them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOk } from "../lib/fleet.js";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: '1'}\n`;
const app = (name: string, path: string, target = "", extra = "") =>
  `apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: ${name}}\nspec:\n  source: apps\n  path: ${path}\n${extra}  targets:\n  - name: all\n    clusterSelector: {matchLabels: {env: test}}\n${target}`;

describe("real repository shapes", () => {
  let f: GitFleet;
  const store = () => f.clusters.one!.sim.store;
  const appError = async (name: string) => waitFor(`${name} to show an error`, async () => (await f.app(name))?.error || undefined);

  beforeAll(async () => {
    f = await startGitFleet("real-repos", { one: "env=test" }, {
      "plain/config.yaml": cm("plain"),
      "jsonnet/main.jsonnet": "{}\n",
      "shrink/config.yaml": cm("shrink"),
      "shrink/README.md": "config\n",
      "mixed/config.yaml": cm("mixed"),
      "mixed/chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
      "mixed/chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
      "kustom/base/kustomization.yaml": "resources: [config.yaml]\n",
      "kustom/base/config.yaml": cm("kustom"),
      "kustom/overlays/prod/kustomization.yaml": "resources: [../../base]\n",
    });
  });
  afterAll(() => f?.close());

  it("creates a target namespace that does not exist yet, labelled as managed, unless createNamespace: false", async () => {
    await f.apply(`${app("fresh", "plain", "    namespace: fresh-ns\n")}---\n${app("kept", "plain", "    namespace: absent-ns\n    createNamespace: false\n")}`);
    await waitClusterApp(f, "fresh", "one", "Synced", (c) => c.sync === "SYNC_STATE_SYNCED");
    expect(store().get("v1", "Namespace", "fresh-ns")!.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "gitfleet" });
    expect(store().get("v1", "ConfigMap", "plain", "fresh-ns")).toBeDefined();
    const kept = await waitClusterApp(f, "kept", "one", "Failed", (c) => c.sync === "SYNC_STATE_FAILED");
    expect(kept.message).toMatch(/absent-ns.*not found/);
    expect(store().get("v1", "Namespace", "absent-ns")).toBeUndefined();
  });

  it("an empty path is a render error, with the clusters it matches counted, unless allowEmpty", async () => {
    await f.apply(`${app("hollow", "jsonnet")}---\n${app("hollow-ok", "jsonnet", "", "  allowEmpty: true\n")}`);
    expect(await appError("hollow")).toContain("no manifests (*.yaml, *.yml, *.json) in jsonnet (found only main.jsonnet); set allowEmpty: true");
    expect((await f.app("hollow"))?.clustersMatched).toBe(1);
    await waitClusterApp(f, "hollow-ok", "one", "Synced", (c) => c.sync === "SYNC_STATE_SYNCED");
  });

  it("a path emptied by a commit does not prune what it made: the App shows the error", async () => {
    await f.apply(app("shrink", "shrink"));
    await waitClusterApp(f, "shrink", "one", "Synced", (c) => c.sync === "SYNC_STATE_SYNCED");
    const emptied = await f.push({ "shrink/config.yaml": null }, "empty the folder by mistake");
    expect(await appError("shrink")).toContain("no manifests");
    expect((await f.app("shrink"))?.errorRevision).toBe(emptied);
    expect(store().get("v1", "ConfigMap", "shrink", "default")).toBeDefined();
    const row = (await f.show("shrink")).clusters.find((c) => c.cluster === "one")!;
    expect(row.sync).toBe("SYNC_STATE_SYNCED");
    expect(row.appliedRevision).not.toBe(emptied);
  });

  it("says a Helm chart below plain manifests is one, and hints at overlay for kustomize folders read as plain manifests", async () => {
    await f.apply(`${app("mixed", "mixed")}---\n${app("kustom", "kustom")}`);
    expect(await appError("mixed")).toContain("mixed/chart/Chart.yaml: this folder is a Helm chart inside a folder of plain manifests: set the App's path to mixed/chart");
    const kustom = await appError("kustom");
    expect(kustom).toContain("kustom/overlays/prod/kustomization.yaml: a kustomization, read as a plain manifest because kustom has none: to build it, set the target's overlay: overlays/prod");
    const shown = await cliOk(f.hub, ["app", "show", "kustom"]);
    expect(shown).toContain("set the target's overlay");
  });
});
