import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, screenshot, type Browser } from "../lib/browser.js";
import { DEMO_CLUSTERS, startDemoFleet, type DemoFleet } from "../lib/demo-fleet.js";
import { cliOk, removeDir, tempDir } from "../lib/fleet.js";
import { stopAll, waitFor } from "../lib/processes.js";
import { kubectlRunner } from "../kube-sim/test-helpers.js";
import { showApp } from "../lib/admin.js";

// A Secret in the demo app: its values (plain and base64) must never reach the browser.
const SECRET_VALUE = "browser-must-not-see-this";
const INITIAL_SECRET = "initial-demo-password";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const SECRET_FILES = {
  "web/base/secret.yaml": `apiVersion: v1\nkind: Secret\nmetadata: {name: web-secret, namespace: web}\ndata: {password: ${b64(INITIAL_SECRET)}}\n`,
  "web/base/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [namespace.yaml, configmap.yaml, secret.yaml, deployment.yaml, service.yaml]\n",
};

describe("dashboard in a real browser", () => {
  let dir: string;
  let fleet: DemoFleet;
  let browser: Browser;
  const received: string[] = [];
  const kubectl = async (cluster: string, ...args: string[]) => {
    const c = fleet.clusters.find((x) => x.name === cluster)!;
    const r = await kubectlRunner(c.kubeconfig, join(dir, `${cluster}-kcache`))(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  };

  beforeAll(async () => {
    dir = await tempDir("dashboard");
    fleet = await startDemoFleet(dir, { pollInterval: "2s", files: SECRET_FILES });
    browser = await openBrowser();
    // Everything the page receives: fetch bodies (Connect calls, streams included) chunk by chunk, and every other response.
    await browser.context.exposeFunction("gitfleetReceived", (text: string) => void received.push(text));
    await browser.context.addInitScript(() => {
      const report = (window as unknown as { gitfleetReceived: (t: string) => void }).gitfleetReceived;
      const original = window.fetch;
      window.fetch = async (...args) => {
        const res = await original(...args);
        const reader = res.clone().body?.getReader();
        const decoder = new TextDecoder();
        void (async () => {
          for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) report(decoder.decode(r.value, { stream: true }));
        })().catch(() => undefined);
        return res;
      };
    });
    browser.page.on("response", (r) => {
      if (r.request().resourceType() !== "fetch") void r.body().then((b) => received.push(b.toString()), () => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await Promise.all((fleet?.clusters ?? []).map((c) => c.sim.close()));
    await removeDir(dir);
  });

  const signIn = async (token: string) => {
    const { page } = browser;
    await page.goto(fleet.dashboardUrl);
    await page.getByLabel("Admin token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
  };

  it("refuses a wrong token and keeps nothing", async () => {
    const { page } = browser;
    await signIn("gfa_not-the-token");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("refused");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.getByLabel("Admin token").isVisible()).toBe(true);
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    await screenshot(page, "login-refused");
  });

  it("signs in with the admin token, kept in session storage and sent as a bearer header, never in the URL", async () => {
    const { page } = browser;
    const headers: string[] = [];
    const urls: string[] = [];
    // Collected and asserted after: an expect thrown inside Playwright's event handler would not fail the test.
    page.on("request", (r) => {
      if (r.url().includes("/api/")) headers.push(r.headers()["authorization"] ?? "");
      urls.push(r.url());
    });
    await signIn(fleet.adminToken);
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
    await page.getByRole("link", { name: "Clusters" }).click();
    for (const [name] of DEMO_CLUSTERS) await page.getByRole("rowheader", { name }).waitFor();
    await screenshot(page, "clusters");
    expect(headers.length).toBeGreaterThan(0);
    expect(urls.filter((u) => u.includes(fleet.adminToken))).toEqual([]);
    expect(new Set(headers)).toEqual(new Set([`Bearer ${fleet.adminToken}`]));
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([fleet.adminToken]);
    expect(fleet.hub.output()).not.toContain(fleet.adminToken);
  });

  it("serves hashed assets for a year and the page itself revalidated", async () => {
    const index = await fetch(fleet.dashboardUrl);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("default-src 'self'");
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
    expect(asset).toBeDefined();
    const res = await fetch(new URL(asset!, fleet.dashboardUrl));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(new URL("/assets/../../package.json", fleet.dashboardUrl))).status).toBe(404);
  });

  it("answers the admin API over Connect only with the admin token", async () => {
    const call = (auth?: string) =>
      fetch(new URL("/api/gitfleet.v1.AdminService/ListClusters", fleet.dashboardUrl), {
        method: "POST",
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
        body: "{}",
      });
    const refused = await call("Bearer nope");
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe("unauthenticated");
    expect((await call()).status).toBe(401);
    const ok = await call(`Bearer ${fleet.adminToken}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { clusters: unknown[] }).clusters).toHaveLength(3);
  });

  const cell = (cluster: string, app = "web") => browser.page.locator(`[data-cell="${cluster}/${app}"]`);
  const appliedRevisions = async () => Object.fromEntries((await showApp(fleet.hub, "web")).clusters.map((c) => [c.cluster, c.appliedRevision]));
  // The audit table as a reader sees it: one object per row, the time also as its <time datetime>.
  const auditRows = () =>
    browser.page.locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => {
        const [when, actor, action, subject, detail] = [...tr.children].map((c) => c.textContent ?? "");
        return { when: when!, datetime: tr.querySelector("time")?.getAttribute("datetime") ?? "", actor: actor!, action: action!, subject: subject!, detail: detail! };
      }),
    );
  const cellStates = () =>
    browser.page.evaluate(() => [...document.querySelectorAll<HTMLElement>("[data-cell]")].map((e) => [e.dataset.cell, e.dataset.sync, e.dataset.health, e.dataset.revision]));

  it("shows the demo fleet in the matrix, each cell's sync and health by shape and color, and its revision", async () => {
    const { page } = browser;
    await page.getByRole("link", { name: "Fleet" }).click();
    const head = fleet.repo.git("rev-parse", "HEAD");
    await expect.poll(cellStates, { timeout: 20_000 }).toEqual(
      ["prod-eu", "prod-us", "staging-eu"].map((c) => [`${c}/web`, "Synced", "Healthy", head]),
    );
    await cell("prod-eu").getByRole("link", { name: `web on prod-eu: Synced, Healthy, revision ${head.slice(0, 7)}`, exact: true }).waitFor();
    await screenshot(page, "fleet");

    await page.getByLabel("Label filter").fill("env=prod");
    await expect.poll(async () => (await cellStates()).map((c) => c[0])).toEqual(["prod-eu/web", "prod-us/web"]);
    await page.getByLabel("Label filter").fill("");
    await page.getByLabel("Search clusters").fill("staging");
    await expect.poll(async () => (await cellStates()).map((c) => c[0])).toEqual(["staging-eu/web"]);
    await page.getByLabel("Search clusters").fill("");
    await page.getByLabel("Group by").selectOption("region");
    // Each group's header with its count, then its own clusters by name.
    const matrixRows = () => page.locator(".virtual [role=row]").evaluateAll((rows) => rows.map((r) => (r.querySelector("[role=rowheader]") ?? r).textContent));
    await expect.poll(matrixRows).toEqual(["region=eu (2)", "prod-eu", "staging-eu", "region=us (1)", "prod-us"]);
    await page.getByLabel("Group by").selectOption("");
    await expect.poll(matrixRows).toEqual(["prod-eu", "prod-us", "staging-eu"]);
  });

  it("turns cells to a new commit's revision live, without reloading or polling", async () => {
    const { page } = browser;
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = "same page"));
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => requests.push(r.url());
    page.on("request", onRequest);
    const sha = fleet.repo.commit({ "web/base/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: web}\ndata: {greeting: live, environment: base}\n" }, "greeting: live");
    await expect.poll(async () => (await cellStates()).map((c) => c[3]), { timeout: 60_000 }).toEqual([sha, sha, sha]);
    page.off("request", onRequest);
    expect(await page.evaluate(() => (window as unknown as { marker: string }).marker)).toBe("same page");
    expect(requests).toEqual([]);
    await screenshot(page, "fleet-after-commit");
  });

  it("shows a hand edit on a cluster on the Drift page within seconds, grouped by field, with the field diff and its manager", async () => {
    const { page } = browser;
    await page.getByRole("link", { name: "Drift", exact: true }).click();
    await page.getByRole("heading", { name: "Drift", exact: true }).waitFor();
    const edited = Date.now();
    await kubectl("prod-eu", "scale", "-n", "web", "deployment/web", "--replicas=7");
    const group = page.locator('[data-group="Deployment/web:spec.replicas"]');
    await group.waitFor({ timeout: 30_000 });
    console.log(`drift on the page ${((Date.now() - edited) / 1000).toFixed(1)} s after the edit`);
    await expect.poll(() => group.locator("summary").textContent()).toBe("1 cluster");
    await screenshot(page, "drift");
    await group.locator("summary").click();
    await group.getByRole("link", { name: "prod-eu (web)" }).click();
    await page.getByRole("heading", { name: "Drift of web on prod-eu" }).waitFor();
    const field = page.locator('[data-field="spec.replicas"]').first();
    await expect.poll(() => field.textContent()).toContain("+ 7");
    expect(await field.textContent()).toContain("− 3");
    expect(await page.locator(".manager").first().textContent()).toMatch(/kubectl/);
    await screenshot(page, "drift-detail");
  });

  it("never lets a Secret value reach the browser, in any response the page receives", async () => {
    const { page } = browser;
    await kubectl("prod-us", "patch", "-n", "web", "secret/web-secret", "--type", "merge", "-p", JSON.stringify({ data: { password: b64(SECRET_VALUE) } }));
    await page.goto(`${fleet.dashboardUrl}#/drift/prod-us/web`);
    await page.locator("article", { hasText: "Secret web/web-secret" }).first().waitFor({ timeout: 30_000 });
    for (const route of ["fleet", "clusters", "clusters/prod-us", "apps/web/prod-us", "audit", "drift", "drift/prod-eu/web"]) {
      await page.goto(`${fleet.dashboardUrl}#/${route}`);
      await page.locator("main h1").first().waitFor();
    }
    await waitFor("the pages' responses to arrive", () => received.some((t) => t.includes("web-secret")));
    const all = received.join("\n");
    // The capture saw the fleet stream and the Secret's drift record, so the check below covers them.
    expect(all).toContain('"reset":true');
    expect(all).toContain('"path":"data.password"');
    for (const value of [SECRET_VALUE, b64(SECRET_VALUE), INITIAL_SECRET, b64(INITIAL_SECRET)]) expect(all).not.toContain(value);
  });

  it("opens a cell's App page: targets with selectors and clusters, that cluster's status and objects, revision history", async () => {
    const { page } = browser;
    await page.goto(`${fleet.dashboardUrl}#/fleet`);
    await cell("prod-us").getByRole("link").click();
    await page.getByRole("heading", { name: "App web" }).waitFor();
    const target = (name: string) => page.locator("tr", { has: page.getByRole("rowheader", { name, exact: true }) });
    await expect.poll(() => target("prod").textContent()).toMatch(/^prodenv=prodoverlays\/prod.*2 \(prod-eu, prod-us\)/);
    await expect.poll(() => target("staging").textContent()).toMatch(/^stagingenv=stagingoverlays\/staging.*1 \(staging-eu\)/);
    await expect.poll(() => page.locator('tr[aria-current="true"]').textContent()).toMatch(/^prod-us.*Synced.*Healthy/);
    await page.getByRole("heading", { name: "Objects on prod-us" }).waitFor();
    // Every object of the bundle on that cluster, by kind, namespace and name.
    const objects = async () => (await page.locator('table[aria-labelledby="objects-title"] tbody th').allTextContents()).sort();
    await expect.poll(objects).toEqual(["ConfigMap web/web-config", "Deployment web/web", "Namespace web", "Secret web/web-secret", "Service web/web"]);
    await expect.poll(() => page.locator("[data-rollout-state]").textContent()).toBe("Completed");
    const head = fleet.repo.git("rev-parse", "HEAD");
    await expect.poll(() => page.getByRole("row", { name: new RegExp(`^${head.slice(0, 7)}`) }).textContent()).toContain("Fleet Tester");
    // The desired revision is the one marked in the history, and only it.
    expect(await page.locator("tr.selected th.mono").allTextContents()).toEqual([`${head.slice(0, 7)} (desired)`]);
    await screenshot(page, "app");
  });

  it("opens a cluster's page: labels, state, versions and its Apps", async () => {
    const { page } = browser;
    await page.goto(`${fleet.dashboardUrl}#/clusters`);
    await page.getByRole("link", { name: "prod-eu" }).click();
    await page.getByRole("heading", { name: "Cluster prod-eu" }).waitFor();
    // Each fact beside its name: state, versions the agent reported, namespaces, labels.
    const facts = () => page.locator("dl.facts dt").evaluateAll((dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])));
    await expect.poll(facts).toMatchObject({ State: "● Connected", Namespaces: "all", Labels: "env=prodregion=eu", Kubernetes: expect.stringMatching(/^v1\.\d+\.\d+/), Agent: expect.stringMatching(/\d+\.\d+\.\d+/) });
    // Its row of the matrix: web at the head revision, desired and applied, nothing pending.
    const head = fleet.repo.git("rev-parse", "HEAD").slice(0, 7);
    const webRow = page.locator("tr", { has: page.getByRole("rowheader", { name: "web", exact: true }) }).first();
    await expect.poll(() => webRow.textContent()).toMatch(new RegExp(`^web✔ Synced● Healthy${head}${head}`));
    expect(await webRow.textContent()).not.toContain("pending");
    await expect.poll(() => page.locator('[data-explain="web"]').textContent()).toContain("target prod: selects this cluster");
    const explain = await page.locator('[data-explain="web"] li').allTextContents();
    expect(explain).toEqual([expect.stringMatching(/^target staging: does not select it/), expect.stringMatching(/^target prod: selects this cluster/), "runs the desired revision"]);
    await screenshot(page, "cluster");
  });

  it("lists the audit log newest first: the events a test causes, by whom, with their detail and time, and no token's secret", async () => {
    const { page } = browser;
    await page.goto(`${fleet.dashboardUrl}#/audit`);
    const tier = `gold-${randomBytes(3).toString("hex")}`;
    const started = Date.now();
    const bootstrap = (await cliOk(fleet.hub, ["token", "create", "--labels", "env=prod"])).trim();
    // The label is set with an issued admin token, the tokens with the hub's own.
    const bot = (await cliOk(fleet.hub, ["admin-token", "create", "--role", "admin", "--description", "release bot"])).trim();
    await cliOk(fleet.hub, ["--token", bot, "cluster", "label", "prod-us", `tier=${tier}`]);
    const done = Date.now();
    const [, tokenId, tokenSecret] = /^gft_([0-9a-f]+)_(.+)$/.exec(bootstrap) ?? [];
    const [, botId, botSecret] = /^gfr_([^.]+)\.(.+)$/.exec(bot) ?? [];
    expect([tokenId, tokenSecret, botId, botSecret].every(Boolean)).toBe(true);

    // The three newest rows are the three changes just made, newest first, each by the token that made it, with its subject and detail.
    const newest = async () => (await auditRows()).slice(0, 3).map(({ actor, action, subject, detail }) => ({ actor, action, subject, detail: JSON.parse(detail || "{}") as unknown }));
    await expect.poll(newest, { timeout: 20_000 }).toEqual([
      { actor: `admin-token:${botId} (release bot)`, action: "cluster.label", subject: "prod-us", detail: { set: { tier }, remove: [] } },
      { actor: "hub-admin-token", action: "admin-token.create", subject: botId, detail: { role: "admin" } },
      { actor: "hub-admin-token", action: "token.create", subject: tokenId, detail: expect.objectContaining({ labels: { env: "prod" } }) },
    ]);
    // Each at the time it happened (ISO in <time datetime>), shown in the reader's locale.
    for (const row of (await auditRows()).slice(0, 3)) {
      expect(Date.parse(row.datetime)).toBeGreaterThanOrEqual(started - 1000);
      expect(Date.parse(row.datetime)).toBeLessThanOrEqual(done + 1000);
      expect(row.when).toBe(await page.evaluate((iso) => new Date(iso).toLocaleString(), row.datetime));
    }
    expect((await auditRows()).filter((r) => r.detail.includes(tier))).toHaveLength(1);

    // A token's id is listed, never its secret: not in the page (text or attributes), nor in any response the page received.
    await waitFor("the audit response with the new events to be captured", () => received.some((t) => t.includes(tier)));
    const html = await page.content();
    const all = received.join("\n");
    for (const secret of [bootstrap, tokenSecret!, bot, botSecret!, fleet.adminToken]) {
      expect(html).not.toContain(secret);
      expect(all).not.toContain(secret);
    }

    const search = page.getByLabel("Search");
    await search.fill(tier.toUpperCase());
    await expect.poll(async () => (await auditRows()).map((r) => [r.action, r.subject])).toEqual([["cluster.label", "prod-us"]]);
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/^1 of \d+ events$/);
    // Not "token": every admin change's actor is a token now.
    await search.fill("token.create");
    // Only rows that match are left, and the ones made here are among them: an empty table does not pass.
    await expect.poll(async () => {
      const rows = await auditRows();
      return rows.every((r) => Object.values(r).join(" ").toLowerCase().includes("token.create")) && rows.map((r) => `${r.action} ${r.subject}`);
    }).toEqual(expect.arrayContaining([`admin-token.create ${botId}`, `token.create ${tokenId}`]));
    expect((await auditRows()).map((r) => r.action)).not.toContain("cluster.label");
    await search.fill("");
    await screenshot(page, "audit");
  });

  it("shows a cell moving to a new bundle at the same revision (a relabel changes its target) until the agent applies it", async () => {
    const { page } = browser;
    const staging = fleet.clusters.find((c) => c.name === "staging-eu")!;
    const head = fleet.repo.git("rev-parse", "HEAD").slice(0, 7);
    // Applies held for a while, so the page has time to show the cluster behind.
    const held = staging.sim.faults.add({ method: "PATCH", latencyMs: 10_000 });
    await page.goto(`${fleet.dashboardUrl}#/fleet`);
    try {
      await cliOk(fleet.hub, ["cluster", "label", "staging-eu", "env=prod"]);
      // The App's rollout step may follow while the rollout of the new bundle is under way.
      await cell("staging-eu").getByRole("link", { name: new RegExp(`^web on staging-eu: Synced, Healthy, revision ${head}, moving to a new bundle of ${head}(,|$)`) }).waitFor({ timeout: 30_000 });
      expect(await cell("staging-eu").textContent()).toContain("→ new bundle");
      expect((await showApp(fleet.hub, "web")).clusters.find((c) => c.cluster === "staging-eu")).toMatchObject({ target: "prod", behind: true });
      expect(await cliOk(fleet.hub, ["app", "show", "web"])).toMatch(new RegExp(`staging-eu\\s+prod\\s+${head}\\w*\\s+${head}\\w* \\(old bundle\\)`));
      await screenshot(page, "fleet-new-bundle");
      // The App page marks the same cluster, and only it, as not yet applied.
      await page.goto(`${fleet.dashboardUrl}#/apps/web`);
      const appRow = (cluster: string) => page.locator("tr", { has: page.getByRole("rowheader", { name: cluster, exact: true }) });
      await expect.poll(() => appRow("staging-eu").textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^staging-eu\\s*prod.*${head}\\s*${head} → pending`));
      for (const c of ["prod-eu", "prod-us"]) expect(await appRow(c).textContent()).not.toContain("pending");
      await screenshot(page, "app-pending");
      await page.goto(`${fleet.dashboardUrl}#/fleet`);
    } finally {
      staging.sim.faults.remove(held);
    }
    await expect.poll(() => cell("staging-eu").getAttribute("data-behind"), { timeout: 60_000 }).toBe("false");
    // Back to its own target, applied, for the tests after this one.
    await cliOk(fleet.hub, ["cluster", "label", "staging-eu", "env=staging"]);
    await waitFor("staging-eu back on target staging, applied", async () => {
      const row = (await showApp(fleet.hub, "web")).clusters.find((c) => c.cluster === "staging-eu");
      return row?.target === "staging" && !row.behind && row.sync === "SYNC_STATE_SYNCED";
    });
    await expect.poll(() => cell("staging-eu").getAttribute("data-behind")).toBe("false");
  });

  it("works from the keyboard: a skip link to the content, then every cell a link that Enter opens", async () => {
    const { page } = browser;
    await page.goto(`${fleet.dashboardUrl}#/fleet`);
    await page.reload(); // focus starts at the top of a freshly loaded page
    await cell("prod-eu").getByRole("link").waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => [document.activeElement?.id, location.hash])).toEqual(["main", "#/fleet"]);
    for (let i = 0; i < 40 && !(await page.evaluate(() => document.activeElement?.closest("[data-cell]")?.getAttribute("data-cell"))); i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("[data-cell]")?.getAttribute("data-cell"))).toBe("prod-eu/web");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "App web" }).waitFor();
    expect(await page.evaluate(() => location.hash)).toBe("#/apps/web/prod-eu");
  });

  it("shows the last render error on the App page with file and line, clusters keeping the last good revision", async () => {
    const { page } = browser;
    const good = fleet.repo.git("rev-parse", "HEAD");
    await page.goto(`${fleet.dashboardUrl}#/apps/web`);
    fleet.repo.commit({ "web/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web\n  namespace: web\n" }, "broken service");
    const callout = page.getByRole("alert").filter({ hasText: "Last render error" });
    await expect.poll(() => callout.textContent(), { timeout: 30_000 }).toMatch(/web\/base\/service\.yaml:\d+/);
    expect(await appliedRevisions()).toEqual({ "prod-eu": good, "prod-us": good, "staging-eu": good });
    await screenshot(page, "app-render-error");
  });
});
