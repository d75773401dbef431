// App options and webhooks end to end: dependsOn ordering from the hub to the agent, prune: false,
// and pushes announced by GitLab and Gitea.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgePush } from "../lib/clusters.js";
import { cliOk } from "../lib/fleet.js";
import { startGitFleet, waitClusterApp, WEBHOOK_SECRET, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";

const configMap = (name: string, v = "1") => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {v: "${v}"}\n`;
const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: platform, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: platform}}
  template:
    metadata: {labels: {app: platform}}
    spec: {containers: [{name: main, image: "${image}"}]}
`;
const app = (name: string, extra = "") =>
  `apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: ${name}}\nspec:\n  source: apps\n  path: ${name}\n${extra}  targets: [{name: all, clusterSelector: {matchLabels: {env: test}}}]\n`;

describe("App options and forge webhooks end to end", () => {
  let f: GitFleet;
  const live = (name: string) => f.clusters.one!.sim.store.get("v1", "ConfigMap", name, "default")?.data?.v as string | undefined;

  beforeAll(async () => {
    f = await startGitFleet("app-options", { one: "env=test" }, {
      // kube-sim never makes an image tagged "broken" ready: platform stays unhealthy until fixed.
      "platform/deployment.yaml": deployment("nginx:broken"),
      "web/config.yaml": configMap("web-config"),
      "keep/a.yaml": configMap("keep-a"),
      "keep/b.yaml": configMap("keep-b"),
      "hooked/config.yaml": configMap("hooked"),
    });
  });
  afterAll(() => f?.close());

  it("dependsOn: an App is applied only once its dependency is Healthy on the cluster", async () => {
    await f.apply(app("platform") + "---\n" + app("web", "  dependsOn: [platform]\n"));
    // Where the wait happens (the hub holding the assignment or the agent) is not the point:
    // the dependency failed on the cluster, and web is not there.
    await waitClusterApp(f, "platform", "one", "applied and Degraded", (c) => c.sync === "SYNC_STATE_SYNCED" && c.health === "HEALTH_STATE_DEGRADED");
    expect(live("web-config")).toBeUndefined();

    await f.push({ "platform/deployment.yaml": deployment("nginx:1.27") }, "fix the platform image");
    await waitClusterApp(f, "platform", "one", "Healthy", (c) => c.health === "HEALTH_STATE_HEALTHY");
    await waitFor("web applied after platform", () => live("web-config") === "1");
    await waitClusterApp(f, "web", "one", "Synced", (c) => c.sync === "SYNC_STATE_SYNCED");
  });

  it("prune: false keeps objects that left Git, and those of a deleted App", async () => {
    await f.apply(app("keep", "  prune: false\n"));
    await waitFor("both kept objects applied", () => live("keep-a") === "1" && live("keep-b") === "1");
    const sha = await f.push({ "keep/b.yaml": null, "keep/a.yaml": configMap("keep-a", "2") }, "drop keep-b");
    // The App applied the commit that removed keep-b (keep-a changed with it), and kept keep-b.
    await waitClusterApp(f, "keep", "one", "the new revision applied", (c) => c.appliedRevision === sha && c.sync === "SYNC_STATE_SYNCED");
    expect(live("keep-a")).toBe("2");
    expect(live("keep-b")).toBe("1");

    expect(await cliOk(f.hub, ["delete", "app", "keep"])).toContain("app/keep deleted");
    // The agent let the App go (its inventory is removed); with prune its objects would be gone too.
    await waitFor("the inventory released", () => f.clusters.one!.sim.store.get("v1", "ConfigMap", "gitfleet-inventory-keep", "gitfleet-system") === undefined);
    expect([live("keep-a"), live("keep-b")]).toEqual(["2", "1"]);
  });

  describe("pushes announced by other forges", () => {
    beforeAll(async () => {
      await f.apply(app("hooked"));
      await waitFor("hooked applied", () => live("hooked") === "1");
    });

    // The Source polls hourly: only an accepted webhook makes the hub fetch the commit.
    it.each(["gitlab", "gitea"] as const)("a push announced by %s is delivered; a wrong secret is refused", async (forge) => {
      f.repo.commit({ "hooked/config.yaml": configMap("hooked", forge) }, `via ${forge}`);
      expect(await forgePush(f.hub.http, "apps", forge, "not-the-secret")).toBe(401);
      expect(await forgePush(f.hub.http, "apps", forge, WEBHOOK_SECRET)).toBe(202);
      await waitFor(`the ${forge} push delivered`, () => live("hooked") === forge);
    });
  });
});
