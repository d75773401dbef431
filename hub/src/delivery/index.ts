import { join } from "node:path";
import type { Logger } from "@gitfleet/shared";
import type { DefinitionText } from "../definitions/index.js";
import type { AgentEvents, BundleSource } from "./agent-events.js";
import { audit } from "../registry/audit.js";
import { createMetrics, type HubMetrics } from "../metrics/index.js";
import { createSecretBox, loadSecretKey } from "../secret-box/index.js";
import { createAppRepository, createSourceRepository, type Db } from "../store/index.js";
import { getApp, listApps, type AppSummaryInit, type ClusterAppStatusInit } from "../views/app-summary.js";
import { storeDefinitions, type ResultInit } from "../definitions/store-definitions.js";
import { assignedDigest, push } from "../assign/assignments.js";
import { createConfigSource, type ConfigSourceOptions } from "../sources/config-repo.js";
import { ADMIN_ORIGIN, CONFIG_ORIGIN, type AgentStreams, type Ctx, type DeliveryStats } from "./context.js";
import { createFetcher } from "../sources/fetcher.js";
import type { Resolve, SourceHosts } from "../sources/hosts.js";
import { createHelmRepos, createMirrorCache } from "../sources/index.js";
import { createPollers } from "../sources/pollers.js";
import { createReconciler } from "../assign/reconcile.js";
import { createRenderer } from "../render/renderer.js";
import type { RenderLimits } from "../render/size-limits.js";
import { openSecrets } from "../sources/sealed-credentials.js";
import { getSource, listSources, type SourceSummaryInit } from "../views/source-summary.js";
import { storeStatuses } from "../status/ingest.js";
import { createStatusBatcher } from "../status/batcher.js";
import { createObjectsEncoder } from "../status/objects-encoder.js";
import { STATUS_FLUSH_INTERVAL_MS, STATUS_FLUSH_MAX_PENDING } from "../config/intervals.js";
import { createLanes } from "../lib/concurrency.js";
import { createRetries } from "./retries.js";
import { createBundleCache } from "../assign/served-bundles.js";
import { requestSync, type SyncResult } from "../assign/sync.js";
import { HubError } from "../errors.js";
import { createRolloutController, type RolloutInit } from "../rollout/index.js";
import { explainApp } from "../views/explain.js";
import { appManifests } from "../views/app-manifests.js";
import { planApply } from "../views/apply-plan.js";
import { createNotifications, type Notice } from "../notify/index.js";
import { degraded } from "../notify/degraded.js";
import { listNotifiers } from "../views/notifiers.js";
import { rolloutNotices } from "../rollout/notices.js";
import { localCoordination, type Change, type Coordination } from "../ha/index.js";
import { createSingletonTasks, repeat } from "../ha/singleton.js";
import { leaseFenceSql } from "../store/index.js";
import { CATCH_UP_INTERVAL_MS, CATCH_UP_SLACK_MS, ROLLOUT_SWEEP_MS, WAVE_BATCH_SPACING_MS } from "../config/intervals.js";
import { createBatcher, fulfilled } from "../store/batch.js";

export type { DeliveryStats } from "./context.js";
export type ResourceKind = "Source" | "App" | "Notifier";

export interface DeliveryDeps {
  /** Object and bundle size limits (--max-object-size, --max-bundle-size). */
  renderLimits?: RenderLimits;
  /** The hub's --helm flag: the helm binary to render charts with (else helm on PATH). */
  helmBin?: string;
  db: Db;
  log: Logger;
  dataDir: string;
  sessions: AgentStreams;
  configSource?: ConfigSourceOptions;
  /** A cluster silent this long is Skipped by rollouts (the hub's --heartbeat-timeout). */
  heartbeatTimeoutMs: number;
  /** The hub's metrics; a private set when not given (unit tests). */
  metrics?: HubMetrics;
  /** How long agents' statuses are gathered before one write (default STATUS_FLUSH_INTERVAL_MS). */
  statusFlushMs?: number;
  /** The hosts Sources may fetch from (--source-hosts); any when not given. */
  sourceHosts?: SourceHosts;
  /** How --source-hosts resolves a Source's host name; the system's when not given (unit tests: a fake DNS). */
  resolveHost?: Resolve;
  /** The other hubs on the database and who leads; one hub alone when not given (SQLite, unit tests). */
  coordination?: Pick<Coordination, "feed" | "leadership" | "hubId" | "shared">;
}

export interface Delivery extends BundleSource {
  apply(yaml: string, origin: string, actor: string): Promise<ResultInit[]>;
  plan(yaml: string, origin: string): ReturnType<typeof planApply>;
  deleteResource(kind: ResourceKind, name: string, actor: string): Promise<void>;
  listNotifiers(): ReturnType<typeof listNotifiers>;
  /** Tells the Notifiers (drift, for one). */
  notify(notices: Notice[]): void;
  listSources(): Promise<SourceSummaryInit[]>;
  getSource(name: string): Promise<SourceSummaryInit>;
  listApps(): Promise<AppSummaryInit[]>;
  getApp(name: string): Promise<{ app: AppSummaryInit; clusters: ClusterAppStatusInit[] }>;
  pin(name: string, revision: string, actor: string): Promise<AppSummaryInit>;
  sync(name: string, cluster?: string): Promise<SyncResult>;
  getRollout(app: string): Promise<RolloutInit>;
  updateRollout(app: string, action: string, actor: string): Promise<RolloutInit>;
  explain(app: string, cluster: string): ReturnType<typeof explainApp>;
  manifests(app: string, cluster: string, revision: string, showSecrets: boolean): ReturnType<typeof appManifests>;
  /** What delivery does with agent streams; drift reports are stored elsewhere (hub/src/drift). */
  events: Omit<AgentEvents, "drift">;
  clusterChanged(cluster: string): Promise<void>;
  /** A Source's webhook secret: null when there is no such Source, undefined when it has none. */
  webhookSecret(source: string): Promise<string | null | undefined>;
  /** Starts a fetch of the Source without waiting for it (what a verified webhook does). */
  trigger(source: string): void;
  /** Fetches a Source now (what a webhook does), resolving when its Apps are delivered. */
  refresh(source: string): Promise<void>;
  stats: Readonly<DeliveryStats>;
  start(): void;
  stop(): Promise<void>;
}

/** From Git commits to per-cluster Assignments pushed on agents' streams. */
export function createDelivery(deps: DeliveryDeps): Delivery {
  const { db, log } = deps;
  const { feed, leadership, hubId, shared } = deps.coordination ?? localCoordination();
  const bundles = createBundleCache(async (digest) => (await db.bundle.findUnique({ where: { digest } }))?.manifests);
  const ctx: Ctx = { db, apps: createAppRepository(db), sources: createSourceRepository(db), log, sessions: deps.sessions, box: createSecretBox(loadSecretKey(deps.dataDir)), gitDir: join(deps.dataDir, "git"), stats: { renders: 0, renderCacheHits: 0, pushes: 0 }, metrics: deps.metrics ?? createMetrics(), feed, sourceHosts: deps.sourceHosts, bundles };
  // Several hubs: the lease holder does the delivery work (fetch, render, rollout); another hub
  // stores what it was told and hands the rest to the leader through the feed.
  const leading = () => leadership.isLeader();
  const reported = coalesce((apps) => feed.publish({ kind: "reported", names: apps }));
  const mirrors = createMirrorCache({ dir: join(ctx.gitDir, "mirrors"), logger: log });
  const fetcher = createFetcher(ctx, mirrors, createHelmRepos({ dir: join(deps.dataDir, "charts"), logger: log }), deps.resolveHost);
  // Changes run one at a time: a webhook, a poll, an apply and a label change all read-modify-write
  // assignments, and interleaving them could push a stale set.
  const lanes = createLanes();
  const serial = { run: <T>(fn: () => Promise<T>) => lanes.run("delivery", fn), idle: () => lanes.idle("delivery") };
  const renderer = createRenderer(ctx, fetcher.withTree, deps.renderLimits, deps.helmBin ? { bin: deps.helmBin } : undefined);
  const notifications = createNotifications({ db, log, box: ctx.box });
  const rollout = createRolloutController({
    db, apps: ctx.apps, log, forClusters: renderer.forClusters, push: (clusters) => push(ctx, clusters), serial: serial.run, heartbeatTimeoutMs: deps.heartbeatTimeoutMs,
    leader: { isLeader: leading, forward: (kind, apps) => (kind === "reported" ? apps.forEach(reported) : feed.publish({ kind, names: apps })), fence: () => leaseFenceSql(leadership.lease()) },
    onEvents: (app, r, events) => notifications.publish(rolloutNotices(app, r, events)),
  });
  const retries = createRetries();
  const reconciler = createReconciler(ctx, fetcher, renderer, rollout, {
    later: (app) => retries.later(`app:${app}`, () => (leading() ? serial.run(() => reconciler.reconcileApp(app)) : Promise.resolve())),
    done: (app) => retries.done(`app:${app}`),
  });
  // Agents that connect while the delivery lane is busy get their sets in one push: after a hub
  // restart or during a registration wave they come by the thousand.
  const connects = createBatcher(async (names: string[]) => {
    await serial.run(async () => {
      await push(ctx, names, false);
      rollout.connected(await reconciler.appsFor(names));
    });
    return names.map(() => fulfilled(undefined));
  }, { spacingMs: WAVE_BATCH_SPACING_MS });
  const encodeObjects = createObjectsEncoder();
  // Agents' statuses are stored in batches; a stopping hub writes what is queued (stop()).
  const statuses = createStatusBatcher({
    intervalMs: deps.statusFlushMs ?? STATUS_FLUSH_INTERVAL_MS,
    maxPending: STATUS_FLUSH_MAX_PENDING,
    log,
    async write(entries) {
      const { written, degraded: turned } = await storeStatuses(ctx, entries, encodeObjects);
      rollout.reported(new Set(written.map((e) => e.status.app)));
      if (turned.length) notifications.publish(degraded(turned));
    },
  });
  const pollers = createPollers((name) => serial.run(() => refreshSource(name, false)), (name, err) => log.error({ source: name, err }, "source refresh failed"));
  const config = deps.configSource && createConfigSource(deps.configSource, mirrors, ctx.gitDir, log, (texts) => serial.run(() => applyConfig(texts)));
  const configPoller = createPollers(() => config!.poll(), (_, err) => log.error({ err }, "config source failed"));
  let unsubscribe = () => {};
  // Singleton work (polling, rollouts) starts and stops with the lease; catching up runs on every hub.
  const singletons = createSingletonTasks(leadership, log);
  const catchUpLoop = repeat(log, "assignment-catch-up", CATCH_UP_INTERVAL_MS, () => catchUp());
  let caughtUpAt: number | undefined;

  /** Fetches a Source and delivers its Apps (but those in `except`) that are behind its revision, or all when forced. */
  async function refreshSource(name: string, force: boolean, except = new Set<string>()): Promise<void> {
    if (!(await ctx.sources.exists(name))) return pollers.remove(name);
    const delivered = ctx.metrics.deliverySeconds.startTimer();
    const { changed, failed } = await fetcher.fetch(name);
    if (failed) retries.later(`source:${name}`, () => pollers.trigger(name));
    else retries.done(`source:${name}`);
    let delivering = false;
    for (const app of await ctx.apps.namesUsing(name)) {
      if (except.has(app) || !(changed || force || (await reconciler.behind(app)))) continue;
      await reconciler.reconcileApp(app);
      delivering = true;
    }
    if (delivering) delivered();
  }

  async function applyTexts(texts: DefinitionText[], actor: string, prefix: string) {
    const applied = await storeDefinitions(ctx, texts, actor, prefix);
    if (!leading()) {
      for (const name of applied.sources) fetcher.forget(name);
      if (applied.sources.length) feed.publish({ kind: "sources", names: applied.sources });
      if (applied.apps.length) feed.publish({ kind: "apps", names: applied.apps, all: true });
      return applied.results;
    }
    for (const name of applied.sources) await sourceChanged(name, new Set(applied.apps));
    for (const app of applied.apps) await reconciler.reconcileApp(app, true);
    return applied.results;
  }

  /** A Source was applied or deleted: fetch and deliver it again (leader), or stop polling a deleted one. */
  async function sourceChanged(name: string, except = new Set<string>()): Promise<void> {
    fetcher.forget(name);
    const source = await ctx.sources.get(name);
    if (!source) return pollers.remove(name);
    pollers.schedule(name, source.spec.intervalMs);
    await refreshSource(name, true, except);
  }

  // Definitions that came from the config repo and left it are deleted; others are never touched.
  async function applyConfig(texts: DefinitionText[]): Promise<void> {
    const results = await applyTexts(texts, "config-source", CONFIG_ORIGIN);
    const keep = new Set(results.map((r) => `${r.kind}/${r.name}`));
    for (const app of await ctx.apps.list({ originPrefix: CONFIG_ORIGIN })) {
      if (!keep.has(`App/${app.name}`)) await removeResource("App", app.name, "config-source");
    }
    for (const src of await ctx.sources.list({ originPrefix: CONFIG_ORIGIN })) {
      if (!keep.has(`Source/${src.name}`)) await removeResource("Source", src.name, "config-source").catch((err: unknown) => log.warn({ source: src.name, err: (err as Error).message }, "config source: kept a Source still in use"));
    }
  }

  async function removeResource(kind: ResourceKind, name: string, actor: string): Promise<void> {
    if (kind === "Notifier") {
      if (!(await db.notifier.findUnique({ where: { name } }))) throw new HubError("NOT_FOUND", `no notifier named "${name}"`);
      await db.notifier.delete({ where: { name } });
    } else if (kind === "App") {
      if (!(await ctx.apps.get(name))) throw new HubError("NOT_FOUND", `no app named "${name}"`);
      await ctx.apps.delete(name);
      if (leading()) await reconciler.removeApp(name);
      else feed.publish({ kind: "removed", names: [name] });
    } else {
      if (!(await ctx.sources.exists(name))) throw new HubError("NOT_FOUND", `no source named "${name}"`);
      const users = await ctx.apps.namesUsing(name);
      if (users.length) throw new HubError("FAILED_PRECONDITION", `source "${name}" is used by app(s) ${users.join(", ")}: delete or change them first`);
      await ctx.sources.delete(name);
      pollers.remove(name);
      fetcher.forget(name);
      feed.publish({ kind: "sources", names: [name] });
    }
    await audit(db, actor, `${kind.toLowerCase()}.delete`, name);
  }

  async function pin(name: string, revision: string, actor: string): Promise<AppSummaryInit> {
    const app = await ctx.apps.get(name);
    if (!app) throw new HubError("NOT_FOUND", `no app named "${name}"`);
    let sha: string | null = null;
    if (revision) {
      if (!/^[0-9a-f]{4,40}$/i.test(revision)) throw new HubError("INVALID_ARGUMENT", `revision "${revision}": want a commit SHA (full or short)`);
      sha = (await fetcher.resolveCommit(app.spec.source, revision.toLowerCase())).sha;
      const prepared = await reconciler.prepare(name, app.spec, sha);
      if ("error" in prepared) throw new HubError("FAILED_PRECONDITION", `cannot pin ${name} to ${sha.slice(0, 12)}: it does not render:\n${prepared.error}`);
    }
    await ctx.apps.update(name, { pinnedRevision: sha });
    if (leading()) await reconciler.reconcileApp(name);
    else feed.publish({ kind: "apps", names: [name] });
    await audit(db, actor, sha ? "app.pin" : "app.unpin", name, sha ? { revision: sha } : {});
    return (await getApp(ctx, name)).app;
  }

  return {
    apply: (yaml, origin, actor) => serial.run(() => applyTexts([{ yaml, origin }], actor, ADMIN_ORIGIN)),
    deleteResource: (kind, name, actor) => serial.run(() => removeResource(kind, name, actor)),
    listSources: () => listSources(ctx),
    getSource: (name) => getSource(ctx, name),
    listApps: () => listApps(ctx),
    getApp: (name) => getApp(ctx, name),
    pin: (name, revision, actor) => serial.run(() => pin(name, revision, actor)),
    sync: (name, cluster) => requestSync(ctx, name, cluster),
    getRollout: (app) => rollout.status(app),
    updateRollout: (app, action, actor) => rollout.act(app, action, actor),
    plan: (yaml, origin) => planApply(ctx, { forClusters: renderer.forClusters, resolveCommit: fetcher.resolveCommit }, [{ yaml, origin }]),
    listNotifiers: () => listNotifiers(db),
    notify: (notices) => notifications.publish(notices),
    explain: (app, cluster) => explainApp(db, app, cluster),
    manifests: (app, cluster, revision, showSecrets) => appManifests({ db, forClusters: renderer.forClusters, resolveCommit: fetcher.resolveCommit }, app, cluster, revision, showSecrets),
    events: {
      // Send the cluster its set; the rollout then decides for the Apps whose assignment it changes
      // (one registered after its Apps were applied, one back after being Skipped).
      connected: (cluster) => connects.add(cluster),
      status: (cluster, report) => {
        ctx.metrics.statusReports.inc(report.apps.length);
        return statuses.add(cluster, report);
      },
    },
    // What the cluster was just sent needs no database read; anything else (the digest an
    // assignment replaced, a fetch on another hub's stream) is checked in the database.
    async bundleFor(cluster, digest) {
      const bundle = (digest && ctx.sessions.assignedDigests?.(cluster)?.has(digest)) || (await assignedDigest(ctx, cluster, digest)) ? await bundles.get(digest) : undefined;
      if (bundle) ctx.metrics.bundlesSent.inc({ via: "get_bundle" });
      return bundle;
    },
    clusterChanged: (cluster) => (leading() ? serial.run(() => reconciler.clusterChanged(cluster)) : Promise.resolve(feed.publish({ kind: "cluster", names: [cluster] }))),
    async webhookSecret(name) {
      const source = await ctx.sources.get(name);
      return source ? openSecrets(ctx, source).webhookSecret : null;
    },
    trigger: (name) => void refresh(name),
    refresh,
    stats: ctx.stats,
    start() {
      unsubscribe = feed.subscribe((change) => void onChange(change).catch((err: unknown) => log.error({ kind: change.kind, err }, "handling a change from another hub failed")));
      singletons.whileLeader("delivery", { start: lead, stop: follow });
      singletons.every("rollout-sweep", ROLLOUT_SWEEP_MS, rollout.sweep);
      // One hub (SQLite) holds every stream and pushes on it directly: nothing to catch up on.
      if (shared) catchUpLoop.start();
    },
    async stop() {
      unsubscribe();
      catchUpLoop.stop();
      await singletons.close();
      reported.flush();
      retries.stop();
      pollers.stop();
      configPoller.stop();
      await serial.idle();
      await statuses.close();
    },
  };

  function refresh(name: string): Promise<void> {
    if (leading()) return pollers.trigger(name);
    feed.publish({ kind: "refresh", names: [name] });
    return Promise.resolve();
  }

  /** This hub got the lease: it runs the singleton work, decided again from the database (level-triggered). */
  function lead(): void {
    void ctx.apps.list({ delivered: true }).then((apps) => apps.forEach((a) => rollout.schedule(a.name)), (err: unknown) => log.error({ err }, "loading apps failed"));
    void ctx.sources.list().then((sources) => {
      for (const source of sources) {
        pollers.schedule(source.name, source.spec.intervalMs);
        void pollers.trigger(source.name);
      }
    }, (err: unknown) => log.error({ err }, "loading sources failed"));
    // An App deleted on another hub while no hub led: its assignments go now.
    void serial.run(async () => {
      const apps = new Set((await ctx.apps.list()).map((a) => a.name));
      const assigned = await db.assignment.findMany({ distinct: ["app"], select: { app: true } });
      for (const { app } of assigned) if (!apps.has(app)) await reconciler.removeApp(app);
    }).catch((err: unknown) => log.error({ err }, "removing assignments of deleted apps failed"));
    if (config) {
      configPoller.schedule("config", config.intervalMs);
      void configPoller.trigger("config");
    }
  }

  /** Another hub took the lease: stop the singleton work here (writes already started are fenced). */
  function follow(): void {
    rollout.stop();
    pollers.clear();
    configPoller.clear();
  }

  /** What another hub asks of this one: send to the agents it holds, or (the leader) deliver. */
  async function onChange(change: Change): Promise<void> {
    switch (change.kind) {
      case "push":
        return push(ctx, change.names.filter((n) => ctx.sessions.get(n)), false);
      case "sync":
        for (const name of change.names) ctx.sessions.send(name, { msg: { case: "sync", value: { apps: [change.app] } } });
        return;
      case "resync":
        await catchUp(true);
        if (leading()) lead();
        return;
      case "sources":
        if (!leading()) return change.names.forEach((n) => fetcher.forget(n));
        return serial.run(async () => {
          for (const name of change.names) await sourceChanged(name);
        });
    }
    if (!leading()) return; // the rest is the leader's, and the next leader recomputes it from the database
    switch (change.kind) {
      case "refresh":
        return void change.names.forEach((n) => void pollers.trigger(n));
      case "apps":
        return serial.run(async () => {
          for (const app of change.names) await reconciler.reconcileApp(app, change.all ?? false);
        });
      case "removed":
        return serial.run(async () => {
          for (const app of change.names) if (!(await ctx.apps.get(app))) await reconciler.removeApp(app);
        });
      case "cluster":
        return serial.run(async () => {
          for (const cluster of change.names) await reconciler.clusterChanged(cluster);
        });
      case "rollout":
        return change.names.forEach(rollout.schedule);
      case "reported":
        return rollout.reported(change.names);
    }
  }

  /**
   * Sends agents on this hub the assignments they missed (a notification lost, or not sent because
   * NOTIFY failed): one read of this hub's clusters whose generation moved since the last pass
   * (all of them when `full`: the feed reconnected), less CATCH_UP_SLACK_MS for writes that
   * committed late and for clocks that differ between hubs.
   */
  async function catchUp(full = false): Promise<void> {
    const started = Date.now();
    const since = full || caughtUpAt === undefined ? {} : { generationAt: { gte: new Date(caughtUpAt - CATCH_UP_SLACK_MS) } };
    const rows = await db.cluster.findMany({ where: { hub: hubId, ...since }, select: { name: true, generation: true } });
    const behind = rows.filter((r) => r.generation > (ctx.sessions.sentGeneration(r.name) ?? r.generation)).map((r) => r.name);
    if (behind.length) await push(ctx, behind, false);
    caughtUpAt = started;
  }
}

/** Collects names for a short while and hands them over in one call (status reports forwarded to the leader). */
function coalesce(flushTo: (names: string[]) => void, ms = 100) {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size) flushTo([...pending]);
    pending.clear();
  };
  const add = (name: string) => {
    pending.add(name);
    timer ??= setTimeout(flush, ms);
  };
  return Object.assign(add, { flush });
}
