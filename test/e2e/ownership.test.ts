// One owner App per object, through the real binaries: two Apps defining one Service, and takeover of what kubectl made.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOk } from "../lib/fleet.js";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";
import { kubectlRunner } from "../kube-sim/test-helpers.js";

const service = (port: number) => `apiVersion: v1\nkind: Service\nmetadata: {name: frontend, namespace: default}\nspec: {selector: {app: frontend}, ports: [{port: ${port}}]}\n`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {from: git}\n`;
const app = (name: string, extra = "") => `apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: ${name}}\nspec:\n  source: apps\n  path: ${name}\n${extra}  targets: [{name: all, clusterSelector: {matchLabels: {env: test}}}]\n`;

describe("an object belongs to one App", () => {
  let f: GitFleet;
  const live = (kind: string, name: string) => f.clusters.one!.sim.store.get("v1", kind, name, "default");
  const owner = () => live("Service", "frontend")?.metadata.labels?.["gitfleet.dev/app"];

  beforeAll(async () => {
    f = await startGitFleet("ownership", { one: "env=test" }, {
      "first/service.yaml": service(80),
      "second/service.yaml": service(8080),
      "second/config.yaml": configMap("second-config"),
      "careful/config.yaml": configMap("handmade"),
      "migrated/config.yaml": configMap("from-kubectl"),
    });
  });
  afterAll(() => f?.close());

  it("refuses the second App's apply, naming the owner, once per object, with no drift and no flip-flop", async () => {
    await f.apply(app("first"));
    await waitClusterApp(f, "first", "one", "Synced", (c) => c.sync === "SYNC_STATE_SYNCED");
    await f.apply(app("second"));
    const row = await waitClusterApp(f, "second", "one", "refused", (c) => c.sync === "SYNC_STATE_FAILED" && /belongs to App "first"/.test(c.message ?? ""));
    expect(row.objects?.find((o) => o.ref?.name === "frontend")?.action).toBe("failed");
    expect(["created", "unchanged"]).toContain(row.objects?.find((o) => o.ref?.name === "second-config")?.action);
    const text = await cliOk(f.hub, ["app", "show", "second"]);
    expect(text.match(/Service\/default\/frontend belongs to App "first"/g)).toHaveLength(1);
    expect(text).not.toMatch(/Service\/default\/frontend: Service\/default\/frontend/);
    const rv = live("Service", "frontend")!.metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 3000)); // agents retry with backoff meanwhile: nothing may change
    expect(live("Service", "frontend")!.metadata.resourceVersion).toBe(rv);
    expect(owner()).toBe("first");
    const drift = JSON.parse(await cliOk(f.hub, ["drift", "--app", "second", "-o", "json"])) as { drifting: number; eventsInWindow: number };
    expect(drift).toMatchObject({ drifting: 0, eventsInWindow: 0 });
  });

  it("deleting the refused App leaves the object alone; deleting the owner hands it over", async () => {
    await cliOk(f.hub, ["delete", "app", "second"]);
    await waitFor("second's own object pruned", () => live("ConfigMap", "second-config") === undefined);
    expect(owner()).toBe("first");
    expect((live("Service", "frontend")!.spec as { ports: { port: number }[] }).ports[0]!.port).toBe(80);
    await f.apply(app("second"));
    await waitClusterApp(f, "second", "one", "refused again", (c) => /belongs to App "first"/.test(c.message ?? ""));
    await cliOk(f.hub, ["delete", "app", "first"]);
    await waitClusterApp(f, "second", "one", "Synced", (c) => c.sync === "SYNC_STATE_SYNCED");
    expect(owner()).toBe("second");
    expect((live("Service", "frontend")!.spec as { ports: { port: number }[] }).ports[0]!.port).toBe(8080);
  });

  it("takeover: adopt (the default) takes over what `kubectl apply` made: labelled, Git's fields win, kubectl's others stay", async () => {
    const c = f.clusters.one!;
    const kubectl = kubectlRunner(c.kubeconfig, `${c.stateDir}-kube-cache`);
    const made = await kubectl(["apply", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-kubectl, namespace: default}\ndata: {from: kubectl, extra: kept}\n");
    expect(made.stderr).toBe("");
    await f.apply(app("migrated"));
    await waitClusterApp(f, "migrated", "one", "Synced", (row) => row.sync === "SYNC_STATE_SYNCED");
    const live = c.sim.store.get("v1", "ConfigMap", "from-kubectl", "default")!;
    expect(live.metadata.labels?.["gitfleet.dev/app"]).toBe("migrated");
    expect(live.data).toEqual({ from: "git", extra: "kept" });
  });

  it("takeover: refuse leaves an object kubectl made alone, with a message saying how to hand it over", async () => {
    f.clusters.one!.sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "handmade", namespace: "default" }, data: { from: "kubectl" } });
    await f.apply(app("careful", "  takeover: refuse\n"));
    const row = await waitClusterApp(f, "careful", "one", "refused", (c) => /exists and was not made by gitfleet/.test(c.message ?? ""));
    expect(row.message).toContain("label it gitfleet.dev/app=careful");
    expect(live("ConfigMap", "handmade")!.data).toEqual({ from: "kubectl" });
  });
});
