import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { kubectlRunner } from "../kube-sim/test-helpers.js";
import { waitFor } from "../lib/processes.js";
import { BACKENDS, cli, cliOk, startHub, tempDir, type HubProc } from "../lib/fleet.js";
import { listDrift, showApp } from "../lib/admin.js";
import { createRepo, SAMPLE_REPO, type TestRepo } from "../lib/git.js";
import { startClusters, type SimCluster } from "../lib/clusters.js";
import { appYaml, sourceYaml } from "../lib/definitions.js";

const SECRET_VALUE = "hunter2-do-not-leak";
const b64 = (s: string) => Buffer.from(s).toString("base64");

interface SummaryJson {
  drifting: number;
  eventsInWindow: number;
  clustersDrifting: number;
  rows: { cluster: string; app: string; drifting?: number; eventsInWindow?: number }[];
}

const app = (name: string, env: string, extra: string) => `---
${appYaml(name, "web", `${extra}
  targets:
  - {name: main, clusterSelector: {matchLabels: {env: ${env}}}, overlay: overlays/staging}
`)}`;

// The two stores' suites run side by side, the steps within each in order; processes stop when the file ends.
describe.concurrent.each(BACKENDS)("drift: detect, heal, report across the fleet on $name", (backend) => {
  let dir: string;
  let hub: HubProc;
  let hubArgs: string[];
  let repo: TestRepo;
  const fleet: Record<string, SimCluster> = {};
  const kubectl = (c: string) => async (...args: string[]) => {
    const r = await kubectlRunner(fleet[c]!.kubeconfig, join(dir, `${c}-kcache`))(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const get = (c: string, apiVersion: string, kind: string, name: string) => fleet[c]!.sim.store.get(apiVersion, kind, name, "web") as Record<string, any> | undefined;
  const records = (cluster: string) => listDrift(hub, { cluster, history: true });
  const recordFor = (cluster: string, kind: string, path?: string, healed?: boolean) =>
    waitFor(`drift of ${kind}${path ? " " + path : ""} on ${cluster}${healed ? " (healed)" : ""}`, async () =>
      (await records(cluster)).find((r) => r.event.ref.kind === kind && (!path || r.event.fields?.some((f) => f.path === path)) && (healed === undefined || Boolean(r.event.healedAt) === healed)));

  beforeAll(async () => {
    dir = await tempDir("drift");
    repo = createRepo(join(dir, "git", "apps"), SAMPLE_REPO);
    repo.commit(
      {
        "web/base/secret.yaml": `apiVersion: v1\nkind: Secret\nmetadata: {name: web-secret, namespace: web}\ndata: {password: ${b64("initial-password")}}\n`,
        "web/base/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [namespace.yaml, configmap.yaml, secret.yaml, deployment.yaml, service.yaml]\n",
      },
      "add a secret",
    );
    hubArgs = backend.args();
    hub = await startHub(join(dir, "hub"), hubArgs);
    Object.assign(fleet, await startClusters(hub, dir, { "heal-1": "env=heal", "heal-2": "env=heal", manual: "env=manual", ignore: "env=ignore" }, ["--resync", "1m", "--drift-interval", "30s"]));
    const defs = join(dir, "fleet.yaml");
    await writeFile(
      defs,
      sourceYaml(`file://${repo.dir}`, "branch: main, interval: 1h") +
        app("healed", "heal", "  selfHeal: true") +
        app("manual", "manual", "  selfHeal: false") +
        app("ignoring", "ignore", "  ignoreDifferences: [{group: apps, kind: Deployment, fields: [spec.replicas]}]"),
    );
    await cliOk(hub, ["apply", "-f", defs]);
    for (const c of Object.keys(fleet)) {
      await waitFor(`web applied on ${c}`, () => get(c, "apps/v1", "Deployment", "web") !== undefined && get(c, "v1", "Secret", "web-secret") !== undefined);
    }
  });

  it.sequential("heals kubectl scale, an edit-style patch, a removed label and a deleted object, and records each", async () => {
    const k = kubectl("heal-1");
    await k("scale", "-n", "web", "deployment/web", "--replicas=5");
    const scaled = await recordFor("heal-1", "Deployment", "spec.replicas");
    expect(scaled.event.fields!.find((f) => f.path === "spec.replicas")).toMatchObject({ desired: "1", live: "5" });
    await waitFor("replicas healed", () => get("heal-1", "apps/v1", "Deployment", "web")?.spec?.replicas === 1);
    await recordFor("heal-1", "Deployment", "spec.replicas", true);

    await k("patch", "-n", "web", "configmap/web-config", "--type", "merge", "-p", '{"data":{"greeting":"tampered"}}');
    const edited = await recordFor("heal-1", "ConfigMap");
    expect(edited.event.manager).toContain("kubectl");
    await waitFor("ConfigMap healed", () => get("heal-1", "v1", "ConfigMap", "web-config")?.data?.greeting === "hello");

    await k("label", "-n", "web", "deployment/web", "app-");
    await waitFor("label restored", () => get("heal-1", "apps/v1", "Deployment", "web")?.metadata?.labels?.app === "web");

    await k("delete", "-n", "web", "service/web");
    const deleted = await waitFor("deleted Service reported", async () => (await records("heal-1")).find((r) => r.event.ref.kind === "Service" && r.event.deleted));
    expect(deleted.event.ref.name).toBe("web");
    await waitFor("Service re-created", () => get("heal-1", "v1", "Service", "web") !== undefined);
  });

  it.sequential("does not report a change by another manager to a field the bundle does not set", async () => {
    const k = kubectl("heal-2");
    await k("annotate", "-n", "web", "deployment/web", "team.example/owner=ops");
    await k("patch", "-n", "web", "configmap/web-config", "--type", "merge", "-p", '{"data":{"extra":"added-by-ops"}}');
    // A later real drift proves the agent looked: the unrelated changes must not be among its records.
    await k("scale", "-n", "web", "deployment/web", "--replicas=4");
    await recordFor("heal-2", "Deployment", "spec.replicas");
    const all = await records("heal-2");
    expect(all.flatMap((r) => r.event.fields ?? []).map((f) => f.path).filter((p) => /annotations|extra/.test(p))).toEqual([]);
    expect(get("heal-2", "v1", "ConfigMap", "web-config")?.data?.extra).toBe("added-by-ops");
  });

  it.sequential("with selfHeal off reports the app OutOfSync with the difference and leaves it", async () => {
    await kubectl("manual")("scale", "-n", "web", "deployment/web", "--replicas=7");
    const r = await recordFor("manual", "Deployment", "spec.replicas");
    expect(r.active).toBe(true);
    await waitFor("manual app OutOfSync", async () => (await showApp(hub, "manual")).clusters[0]?.sync === "SYNC_STATE_OUT_OF_SYNC");
    expect(get("manual", "apps/v1", "Deployment", "web")?.spec?.replicas).toBe(7);
    const diff = await cliOk(hub, ["drift", "show", "--cluster", "manual", "--app", "manual"]);
    expect(diff).toContain("@@ spec.replicas");
    expect(diff).toContain("-1");
    expect(diff).toContain("+7");
  });

  it.sequential("holds ignore rules", async () => {
    const k = kubectl("ignore");
    await k("scale", "-n", "web", "deployment/web", "--replicas=9");
    await k("patch", "-n", "web", "configmap/web-config", "--type", "merge", "-p", '{"data":{"greeting":"x"}}');
    await recordFor("ignore", "ConfigMap");
    expect((await records("ignore")).some((r) => r.event.ref.kind === "Deployment")).toBe(false);
    expect(get("ignore", "apps/v1", "Deployment", "web")?.spec?.replicas).toBe(9);
  });

  it.sequential("never shows Secret values in reports or logs", async () => {
    await kubectl("heal-2")("patch", "-n", "web", "secret/web-secret", "--type", "merge", "-p", JSON.stringify({ data: { password: b64(SECRET_VALUE) } }));
    const r = await recordFor("heal-2", "Secret");
    await waitFor("Secret healed", () => get("heal-2", "v1", "Secret", "web-secret")?.data?.password === b64("initial-password"));
    const outputs = [JSON.stringify(r), await cliOk(hub, ["drift", "show", "--cluster", "heal-2", "--history"]), hub.output(), ...Object.values(fleet).map((c) => c.agent!.output())];
    for (const text of outputs) {
      expect(text).not.toContain(SECRET_VALUE);
      expect(text).not.toContain(b64(SECRET_VALUE));
      expect(text).not.toContain(b64("initial-password"));
    }
  });

  it.sequential("adds up the fleet summary across clusters and filters it by label selector", async () => {
    const summary = JSON.parse(await cliOk(hub, ["drift", "-o", "json"])) as SummaryJson;
    expect(summary.rows.map((r) => r.cluster).sort()).toEqual(["heal-1", "heal-2", "ignore", "manual"]);
    expect(summary.eventsInWindow).toBe(summary.rows.reduce((n, r) => n + (r.eventsInWindow ?? 0), 0));
    expect(summary.drifting).toBe(summary.rows.reduce((n, r) => n + (r.drifting ?? 0), 0));
    expect(summary.rows.find((r) => r.cluster === "manual")?.drifting).toBeGreaterThanOrEqual(1);
    const heal = JSON.parse(await cliOk(hub, ["drift", "-l", "env=heal", "-o", "json"])) as SummaryJson;
    expect(heal.rows.map((r) => r.cluster).sort()).toEqual(["heal-1", "heal-2"]);
    expect(await cliOk(hub, ["drift"])).toMatch(/manual\s+manual\s+[1-9]/);
  });

  it.sequential("groups drift across the fleet by object and by field (gitfleet drift --by)", async () => {
    interface GroupJson { ref: { kind: string; name: string }; field?: string; clusters?: string[]; episodes?: number; managers?: string[] }
    const byField = JSON.parse(await cliOk(hub, ["drift", "--by", "field", "-o", "json"])) as { groups: GroupJson[] };
    const replicas = byField.groups.find((g) => g.ref.kind === "Deployment" && g.field === "spec.replicas")!;
    expect(replicas.clusters).toEqual(["heal-1", "heal-2", "manual"]);
    expect(replicas.episodes).toBeGreaterThanOrEqual(3);
    expect(replicas.managers!.some((m) => m.includes("kubectl"))).toBe(true);
    const byObject = JSON.parse(await cliOk(hub, ["drift", "--by", "object", "-l", "env=heal", "-o", "json"])) as { groups: GroupJson[] };
    expect(byObject.groups.find((g) => g.ref.kind === "Deployment")?.clusters).toEqual(["heal-1", "heal-2"]);
    expect(byObject.groups.filter((g) => g.field !== undefined)).toEqual([]);
    const table = await cliOk(hub, ["drift", "--by", "field"]);
    expect(table).toMatch(/spec\.replicas\s+Deployment\/web\/web\s+\S+\s+3\s/);
    expect(table).toContain("most widespread: spec.replicas of Deployment/web/web drifted on 3 cluster(s)");
    expect((await cli(hub, ["drift", "--by", "namespace"])).stderr).toContain("--by must be object or field");
  });

  it.sequential("drift --since counts episodes in the window only; what drifts now always shows", async () => {
    const times = (await records("heal-1")).flatMap((r) => [r.event.firstSeen, r.event.healedAt]).filter((t): t is string => Boolean(t)).map(Date.parse);
    expect(times.length).toBeGreaterThan(0);
    const latest = Math.max(...times);
    await waitFor("heal-1's last episode to be 3 s old", () => Date.now() > latest + 3_000);
    const summary = async (since: string) => JSON.parse(await cliOk(hub, ["drift", "--since", since, "-o", "json"])) as SummaryJson;
    expect((await summary("24h")).rows.map((r) => r.cluster)).toContain("heal-1");
    const recent = await summary("2s");
    expect(recent.rows.map((r) => r.cluster)).not.toContain("heal-1");
    expect(recent.rows.find((r) => r.cluster === "manual")?.drifting).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(await cliOk(hub, ["drift", "show", "--cluster", "heal-1", "--history", "--since", "2s", "-o", "json"]))).toEqual([]);
  });

  it.sequential("--drift-retention drops ended episodes older than the retention, never open ones", async () => {
    expect((await records("heal-1")).length).toBeGreaterThan(0);
    await hub.stop();
    hub = await startHub(hub.dataDir, [...hubArgs, "--drift-retention", "2s"], { GITFLEET_DRIFT_PRUNE_INTERVAL_MS: "500" }, hub);
    await waitFor("heal-1's healed history pruned", async () => (await records("heal-1")).length === 0);
    const open = await listDrift(hub, { cluster: "manual" });
    expect(open.map((r) => [r.event.ref.kind, r.active])).toContainEqual(["Deployment", true]);
  });
});
