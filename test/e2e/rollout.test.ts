import { createHmac } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../lib/processes.js";
import { BACKENDS, cli, cliOk, removeDir, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";
import { createRepo, SAMPLE_REPO, startGitDaemon, webDeployment, type TestRepo } from "../lib/git.js";
import { githubPush, runAgent, startClusters, type SimCluster } from "../lib/clusters.js";
import { appYaml, sourceYaml } from "../lib/definitions.js";
import { clusterTransitions, explainBlockers, getRollout, listAudit, listNotifiers, type RolloutJson } from "../lib/admin.js";

// Eight clusters: two canaries, then three by name, then the rest (the implicit last stage). The
// canaries bake: a workload may look Healthy for a moment before it fails.
const SECRET = "push-secret";
const env = { GITFLEET_HEARTBEAT_INTERVAL_S: "1", GITFLEET_RECONNECT_MAX_MS: "1000", GITFLEET_NOTIFY_BACKOFF_MS: "50" };
const HOOK_SECRET = "hmac-s3cret";
const NAMES = ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"];
const CANARY = new Set(["r4", "r7"]);
const STAGE_OF: Record<string, string> = { r4: "canary", r7: "canary", r1: "early", r2: "early", r3: "early", r5: "remaining", r6: "remaining", r8: "remaining" };
const LIMIT: Record<string, number> = { canary: 1, early: 2, remaining: 2 };

type Notice = { event: string; app: string; toRevision?: string; stage?: string; reason?: string; text: string; signed: boolean };

// The two stores' suites run side by side (much of a rollout is waiting: bake times, health); the
// steps within each run in order.
describe.concurrent.each(BACKENDS)("rollouts on 8 clusters on $name", (backend) => {
  let dir: string;
  let hubArgs: string[];
  let hub: HubProc;
  let repo: TestRepo;
  let daemon: Awaited<ReturnType<typeof startGitDaemon>>;
  const fleet: Record<string, SimCluster> = {};
  // A notification receiver on loopback: every POST recorded, with whether its HMAC signature holds.
  const notices: Notice[] = [];
  let receiver: Server;
  const image = (c: string) => (fleet[c]!.sim.store.get("apps/v1", "Deployment", "web", "web") as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } } | undefined)?.spec?.template?.spec?.containers?.[0]?.image;
  // Polled through the admin API in the test process: a CLI process per poll is what made this suite slow.
  const rollout = () => getRollout(hub, "web");
  const audit = () => listAudit(hub, "web");
  /** Every cluster's image, by name; compared whole so a failure shows which clusters differ. */
  const images = () => Object.fromEntries(NAMES.map((c) => [c, image(c)]));
  const everywhere = (tag: string) => Object.fromEntries(NAMES.map((c) => [c, `nginx:${tag}`]));
  const steps = (r: RolloutJson) => Object.fromEntries(r.stages.flatMap((s) => s.clusters.map((c) => [c.cluster, c.step])));
  const waitState = (state: string, to: string, timeoutMs = 60_000) =>
    waitFor(`rollout of ${to.slice(0, 8)} to be ${state}`, async () => {
      const r = await rollout();
      return r.toRevision === to && r.state === state ? r : undefined;
    }, timeoutMs, 250);
  const push = async (tag: string, message: string) => {
    const sha = repo.commit({ "web/base/deployment.yaml": webDeployment(tag) }, message);
    expect(await githubPush(hub.http, "apps", SECRET)).toBe(202);
    return sha;
  };
  const apply = async (stages: string, extra = "") => {
    const file = join(dir, "fleet.yaml");
    await writeFile(file, definitions(daemon.url("apps"), stages, extra));
    return cliOk(hub, ["apply", "-f", file]);
  };
  /** Per-cluster transitions of the rollout to `to`, in the order the hub recorded them. */
  const transitions = async (to: string) => clusterTransitions((await audit()).filter((e) => e.detail.to === to));

  beforeAll(async () => {
    dir = await tempDir(`rollout-${backend.name}`);
    repo = createRepo(join(dir, "git", "apps"), SAMPLE_REPO);
    daemon = await startGitDaemon(join(dir, "git"), "apps");
    // Heartbeats every second; a stopped agent closes its stream, so a generous timeout costs nothing here.
    hubArgs = ["--heartbeat-timeout", "15s", ...backend.args()];
    hub = await startHub(join(dir, "hub"), hubArgs, env);
    const labels = Object.fromEntries(NAMES.map((name) => [name, `fleet=demo,ring=${CANARY.has(name) ? "canary" : "main"}`]));
    Object.assign(fleet, await startClusters(hub, dir, labels, ["--resync", "5s"], env));
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const signed = req.headers["x-gitfleet-signature"] === `sha256=${createHmac("sha256", HOOK_SECRET).update(body).digest("hex")}`;
        notices.push({ ...(JSON.parse(body) as Omit<Notice, "signed">), signed });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const hooks = join(dir, "notifiers.yaml");
    const closed = await freePort();
    await writeFile(hooks, `apiVersion: gitfleet.dev/v1
kind: Notifier
metadata: {name: team}
spec: {url: "http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook", secret: ${HOOK_SECRET}, apps: [web]}
---
apiVersion: gitfleet.dev/v1
kind: Notifier
metadata: {name: gone}
spec: {url: "http://127.0.0.1:${closed}/hook", events: [rollout.completed]}
`);
    expect(await cliOk(hub, ["apply", "-f", hooks])).toContain("notifier/team created");
    await apply(STAGES);
    await waitState("Completed", repo.git("rev-parse", "HEAD"), 120_000);
  });
  afterAll(async () => {
    // Only this suite's processes: the other store's suite may still be running (stopAll is the file's, at its end).
    await Promise.all([hub?.stop(), ...Object.values(fleet).map((c) => c.agent?.stop())]);
    receiver?.close();
    daemon?.stop();
    await Promise.all(Object.values(fleet).map((c) => c.sim.close()));
    await removeDir(dir);
  });

  it.sequential("passes a good revision through every stage in order, holding maxUnavailable at every recorded moment", async () => {
    const to = await push("1.28", "nginx 1.28");
    const done = await waitState("Completed", to, 120_000);
    expect(done.stages.map((s) => s.name)).toEqual(["canary", "early", "remaining"]);
    expect(images()).toEqual(everywhere("1.28"));
    const events = await transitions(to);
    const unavailable = new Map<string, Set<string>>();
    const healthyAt = new Map<string, number>();
    const firstUpdate = new Map<string, number>();
    events.forEach((e, i) => {
      const { cluster, step, stage } = e.detail as Required<typeof e.detail>;
      expect(stage).toBe(STAGE_OF[cluster]);
      const set = unavailable.get(stage) ?? new Set<string>();
      if (step === "Updating" || step === "Failed") set.add(cluster);
      else set.delete(cluster);
      unavailable.set(stage, set);
      expect(set.size, `${stage} unavailable after event ${i}`).toBeLessThanOrEqual(LIMIT[stage]!);
      if (step === "Healthy") healthyAt.set(cluster, i);
      if (step === "Updating" && !firstUpdate.has(stage)) firstUpdate.set(stage, i);
    });
    expect([...healthyAt.keys()].sort()).toEqual(NAMES);
    // A stage starts only after every cluster of the stages before it is Healthy.
    const lastHealthy = (stage: string) => Math.max(...NAMES.filter((c) => STAGE_OF[c] === stage).map((c) => healthyAt.get(c)!));
    expect(firstUpdate.get("early")!).toBeGreaterThan(lastHealthy("canary"));
    expect(firstUpdate.get("remaining")!).toBeGreaterThan(lastHealthy("early"));
    const stagesPassed = (await audit()).filter((e) => e.action === "rollout.stage-passed" && e.detail.to === to).map((e) => e.detail.stage);
    expect(stagesPassed).toEqual(["canary", "early", "remaining"]);
    const heard = await waitFor("the receiver to hear the rollout complete", () => {
      const mine = notices.filter((n) => n.toRevision === to);
      return mine.some((n) => n.event === "rollout.completed") && mine;
    });
    expect(heard.map((n) => n.event)).toEqual(["rollout.started", "rollout.stage-passed", "rollout.stage-passed", "rollout.stage-passed", "rollout.completed"]);
    expect(heard.filter((n) => !n.signed || n.app !== "web")).toEqual([]);
    expect(heard[4]!.text).toMatch(/rollout of web completed/);
    // A receiver that is not there: retried, then counted and shown.
    const gone = await waitFor("the unreachable notifier's failure to show", async () => {
      const list = await listNotifiers(hub);
      return list.find((n) => n.name === "gone" && n.failed > 0) ? list : undefined;
    });
    expect(gone.find((n) => n.name === "gone")!.lastError).toMatch(/rollout\.completed: .*after 5 attempts/);
    expect(gone.find((n) => n.name === "team")!.delivered).toBeGreaterThanOrEqual(5);
    expect(await cliOk(hub, ["get", "notifiers"])).toMatch(/gone\s+http:\/\/127\.0\.0\.1:\d+\/hook\s+1\s+\(all\)\s+0\s+[1-9]/);
  });

  it.sequential("plans an apply without storing it, prints a cluster's exact manifests, and watches a settled rollout", async () => {
    const first = repo.git("rev-list", "--max-parents=0", "HEAD");
    const file = join(dir, "plan.yaml");
    await writeFile(file, definitions(daemon.url("apps"), STAGES).split("---\n")[1]!.replace("name: web}", "name: api}"));
    const plan = await cliOk(hub, ["apply", "--dry-run", "-f", file]);
    expect(plan).toMatch(/app\/api at \w+: renders \(dry run\)/);
    expect(plan).toMatch(/r4\s+all\s+-\s+canary/);
    expect(plan).toMatch(/r8\s+all\s+-\s+remaining/);
    expect(await cliOk(hub, ["get", "apps"])).not.toMatch(/^api/m);
    expect(await cliOk(hub, ["app", "manifests", "web", "--cluster", "r1"])).toMatch(/kind: Deployment[\s\S]*image: nginx:1\.28/);
    expect(await cliOk(hub, ["app", "manifests", "web", "--cluster", "r1", "--revision", first.slice(0, 10)])).toMatch(/image: nginx:1\.27/);
    expect(await cliOk(hub, ["rollout", "status", "web", "--watch"])).toMatch(/^web: Completed/m);
  });

  it.sequential("halts a revision whose workload never becomes ready in the first stage and rolls it back there", async () => {
    const good = repo.git("rev-parse", "HEAD");
    const bad = await push("broken", "a tag that never runs");
    const r = await waitState("RolledBack", bad, 90_000);
    expect(r.reason).toMatch(/r4: Degraded/);
    // Only the canary stage ever had it, and it is back on the good revision.
    const moved = new Set((await transitions(bad)).filter((e) => e.detail.step === "Updating").map((e) => e.detail.cluster));
    expect(moved.has("r4")).toBe(true);
    expect([...moved].filter((c) => !CANARY.has(c!))).toEqual([]);
    expect(Object.fromEntries(r.stages.flatMap((s) => s.clusters.map((c) => [c.cluster, c.revision])))).toEqual(Object.fromEntries(NAMES.map((c) => [c, good])));
    await waitFor("canary deployments back on nginx:1.28", () => NAMES.every((c) => image(c) === "nginx:1.28"), 30_000);
    expect((await audit()).some((e) => e.action === "rollout.rolled-back" && e.detail.to === bad && /r4/.test(e.detail.reason ?? ""))).toBe(true);
    const notice = await waitFor("the receiver to hear the rollback", () => notices.find((n) => n.event === "rollout.rolled-back" && n.toRevision === bad));
    expect(notice).toMatchObject({ stage: "canary", signed: true, reason: expect.stringMatching(/r4: Degraded/) });
    expect(notice.text).toMatch(/ROLLED BACK in stage canary/);
    expect(notices.some((n) => n.event === "app.degraded" && n.toRevision === bad)).toBe(true);
    const why = await cliOk(hub, ["explain", "web", "--cluster", "r1"]);
    expect(why).toMatch(/the rollout of \w+ is RolledBack .*this cluster stays on/);
  });

  it.sequential("skips a disconnected cluster without stalling, and gives it the revision once it is back", async () => {
    await fleet.r8!.agent!.stop();
    await waitClusterState(hub, "r8", "Disconnected");
    const to = await push("1.29", "nginx 1.29");
    const r = await waitState("Completed", to, 120_000);
    expect(steps(r).r8).toBe("Skipped");
    expect(image("r8")).toBe("nginx:1.28");
    expect(await cliOk(hub, ["explain", "web", "--cluster", "r8"])).toMatch(/cluster r8 is Disconnected/);
    runAgent(hub, fleet.r8!, undefined, ["--resync", "5s"], env);
    await waitFor("r8 to get nginx:1.29 once back", () => image("r8") === "nginx:1.29", 60_000);
    await waitFor("r8 Healthy in the rollout", async () => steps(await rollout()).r8 === "Healthy", 30_000);
  });

  it.sequential("counts an apply the agent retries after API server errors as updating, not failed: the rollout completes", async () => {
    // A canary's API server answers its Deployment applies 503 three times: the agent retries with
    // backoff (reporting OutOfSync, "retrying: …"). Counted as Failed, this rolled fleets back.
    const sim = fleet.r4!.sim;
    const fault = sim.faults.add({ path: "/apis/apps/v1/namespaces/web/deployments", method: "PATCH", errorRate: 1, errorStatus: 503, times: 3 });
    try {
      const to = await push("1.29.1", "nginx 1.29.1 through a flaky API server");
      const r = await waitState("Completed", to, 120_000);
      expect(steps(r).r4).toBe("Healthy");
      expect(sim.faults.list().map((f) => f.id)).not.toContain(fault);
      expect((await transitions(to)).filter((e) => e.detail.step === "Failed")).toEqual([]);
      expect(images()).toEqual(everywhere("1.29.1"));
    } finally {
      sim.faults.remove(fault);
    }
  });

  it.sequential("waits for manual approval, pauses, resumes, aborts, retries and is superseded by a newer commit", async () => {
    await apply(STAGES.replace("{name: early, count: 3, maxUnavailable: 2}", "{name: early, count: 3, maxUnavailable: 2, approval: manual}"));
    const v1 = await push("1.30", "nginx 1.30");
    let r = await waitState("WaitingApproval", v1);
    expect(r.waitingFor).toMatch(/approval to start stage early: gitfleet rollout promote web/);
    expect(NAMES.filter((c) => image(c) === "nginx:1.30").sort()).toEqual(["r4", "r7"]);
    expect(await cliOk(hub, ["explain", "web", "--cluster", "r1"])).toMatch(/waits for approval of stage early/);
    expect(await cliOk(hub, ["rollout", "promote", "web"])).toMatch(/promote done/);
    await waitState("Completed", v1, 90_000);

    const v2 = await push("1.31", "nginx 1.31");
    await waitFor("rollout of v2 to start", async () => (await rollout()).toRevision === v2);
    expect(await cliOk(hub, ["rollout", "pause", "web"])).toMatch(/now Paused/);
    expect(await cliOk(hub, ["explain", "web", "--cluster", "r5"])).toMatch(/is Paused: `gitfleet rollout resume web`/);
    const refused = await cli(hub, ["rollout", "promote", "web"]);
    expect(refused.stderr).toMatch(/cannot promote: the rollout of \w+ is Paused/);
    await cliOk(hub, ["rollout", "resume", "web"]);
    await waitState("WaitingApproval", v2);
    await cliOk(hub, ["rollout", "abort", "web"]);
    r = await waitState("Aborted", v2);
    expect(NAMES.filter((c) => image(c) === "nginx:1.31").sort()).toEqual(["r4", "r7"]);
    await cliOk(hub, ["rollout", "retry", "web"]);
    await waitState("WaitingApproval", v2);

    // A newer commit starts again from the first stage.
    const v3 = await push("1.32", "nginx 1.32");
    r = await waitState("WaitingApproval", v3);
    expect(r.fromRevision).toBe(v1);
    await cliOk(hub, ["rollout", "promote", "web"]);
    await waitState("Completed", v3, 90_000);
    expect(images()).toEqual(everywhere("1.32"));
    const actions = (await audit()).filter((e) => e.actor === "hub-admin-token").map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["rollout.promote", "rollout.pause", "rollout.resume", "rollout.abort", "rollout.retry"]));
  });

  it.sequential("resumes where it was after the hub is killed with SIGKILL mid-rollout, re-sending nothing to finished clusters", async () => {
    const to = await push("1.33", "nginx 1.33");
    await waitState("WaitingApproval", to);
    const before = await transitions(to);
    await hub.stop("SIGKILL");
    hub = await startHub(hub.dataDir, hubArgs, env, hub);
    for (const name of NAMES) await waitClusterState(hub, name, "Connected", 30_000);
    const r = await waitState("WaitingApproval", to);
    expect(steps(r)).toMatchObject({ r4: "Healthy", r7: "Healthy", r1: "Pending" });
    expect(image("r1")).toBe("nginx:1.32");
    expect(await transitions(to)).toEqual(before);
    await cliOk(hub, ["rollout", "promote", "web"]);
    await waitState("Completed", to, 90_000);
    // The canaries went through Updating once, before the kill.
    const updates = (await transitions(to)).filter((e) => e.detail.step === "Updating").map((e) => e.detail.cluster);
    expect(updates.filter((c) => CANARY.has(c!))).toHaveLength(2);
  });

  it.sequential("does not move an App on a cluster before the Apps it dependsOn are Healthy there", async () => {
    const dbFiles = (tag: string) => ({
      "db/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: db}\n",
      "db/deployment.yaml": webDeployment(tag).replaceAll("web", "db"),
    });
    repo.commit(dbFiles("broken"), "db that never gets ready");
    await writeFile(join(dir, "db.yaml"), DB_APP);
    await cliOk(hub, ["apply", "-f", join(dir, "db.yaml")]);
    await apply(STAGES, "  dependsOn: [db]\n");
    const to = await push("1.34", "nginx 1.34 for web");
    const r = await waitFor("web to wait for db", async () => {
      const x = await rollout();
      return x.toRevision === to && x.stages[0]!.clusters.some((c) => c.step === "Pending") && x;
    });
    expect(r.waitingFor).toMatch(/r4: waiting for dependsOn db to be Healthy here/);
    expect(await cliOk(hub, ["explain", "web", "--cluster", "r4"])).toMatch(/dependsOn db is .* on r4, not Healthy/);
    expect(image("r4")).not.toBe("nginx:1.34");
    const fixed = repo.commit(dbFiles("1.27"), "db that runs");
    expect(await githubPush(hub.http, "apps", SECRET)).toBe(202);
    await waitState("Completed", fixed, 120_000);
    expect(images()).toEqual(everywhere("1.34"));
  });

  it.sequential("explains in one plain line each of: no target, a revision that does not render, a pin", async () => {
    await cliOk(hub, ["cluster", "label", "r1", "fleet-"]);
    const off = JSON.parse(await cliOk(hub, ["explain", "web", "--cluster", "r1", "-o", "json"])) as { targets: { matched?: boolean; reason: string }[]; blockers: string[] };
    expect(off.targets).toEqual([{ target: "all", reason: "no label fleet (want fleet=demo)" }]);
    expect(off.blockers).toEqual(["no target of app web selects cluster r1"]);
    const good = repo.git("rev-parse", "HEAD");
    const bad = repo.commit({ "web/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web\n" }, "break the service");
    expect(await githubPush(hub.http, "apps", SECRET)).toBe(202);
    const renderError = `revision ${bad.slice(0, 12)} does not render, clusters keep ${good.slice(0, 12)}`;
    await waitFor("the render error on web", async () => (await explainBlockers(hub, "web", "r2")).some((b) => b.includes(renderError)));
    expect(await cliOk(hub, ["explain", "web", "--cluster", "r2"])).toContain(renderError);
    await cliOk(hub, ["app", "pin", "web", good.slice(0, 10)]);
    expect(await cliOk(hub, ["explain", "web", "--cluster", "r2"])).toMatch(new RegExp(`app web is pinned to ${good.slice(0, 12)}: newer commits wait for \`gitfleet app unpin web\``));
  });
});

const DB_APP = appYaml("db", "db", `  rollout: {maxUnavailable: 100%}
  targets:
  - {name: all, clusterSelector: {matchLabels: {fleet: demo}}}
`);

const STAGES = `
    - {name: canary, clusterSelector: {matchLabels: {ring: canary}}, maxUnavailable: 1, bakeTime: 5s}
    - {name: early, count: 3, maxUnavailable: 2}`;

/** Source "apps" and App web in stages; `extra` are more spec lines of web. */
function definitions(url: string, stages: string, extra = ""): string {
  const web = appYaml("web", "web/base", `${extra}  targets:
  - {name: all, clusterSelector: {matchLabels: {fleet: demo}}}
  rollout:
    progressDeadline: 60s
    maxUnavailable: 2
    stages:${stages}
`);
  return `${sourceYaml(url, `branch: main, interval: 1h, webhookSecret: ${SECRET}`)}---\n${web}`;
}
