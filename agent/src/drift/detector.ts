import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { DriftEventSchema, type Assignment, type DriftEvent, type KubeObject, type Logger } from "@gitfleet/shared";
import { createHash } from "node:crypto";
import type { Outgoing } from "../connection/agent-link.js";
import type { Kube } from "../kube/client.js";
import { apiMessage } from "../kube/errors.js";
import type { Findings } from "../common/findings.js";
import { describeObject, keyOf, objectRef } from "../common/object-ref.js";
import { compareObject } from "./compare.js";
import { withoutNoise } from "./diff.js";
import { ignoreRules, type IgnoreRules } from "../common/ignore.js";

export interface DriftHooks {
  /** Runs fn in the app's lane, never concurrently with its reconcile. */
  lane(app: string, fn: () => Promise<void>): void;
  /** selfHeal: re-apply the app now. */
  heal(app: string): void;
  /** selfHeal off: drift left in place is reported as a finding (message undefined: no drift any more). */
  findings: Findings;
  /** One of the app's objects changed (its health may have). */
  touched(app: string): void;
  /** An object of the app started to differ from what was applied (counted as a drift episode). */
  episode?(app: string): void;
}

export interface DriftDetector {
  /** After a full apply: these objects are what the app should look like; reported drift is healed. */
  track(a: Assignment, applied: readonly KubeObject[]): void;
  untrack(app: string): void;
  link(send: ((msg: Outgoing) => void) | undefined): void;
  stop(): void;
}

interface Tracked {
  a: Assignment;
  objects: Map<string, KubeObject>;
  ignore: IgnoreRules;
  drift: Map<string, DriftEvent>;
}

const scopeOf = (o: KubeObject) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ""}`;

export function createDriftDetector(kube: Kube, log: Logger, hooks: DriftHooks, intervalMs: number): DriftDetector {
  const tracked = new Map<string, Tracked>();
  // Kinds (per namespace) whose informer runs for us: the cache's watches feed onEvent.
  const watched = new Set<string>();
  const pending = new Map<string, Set<string>>();
  // A digest of the last seen spec and metadata per object: status-only updates (most events) need no comparison.
  const seen = new Map<string, string>();
  let send: ((msg: Outgoing) => void) | undefined;
  let stopped = false;

  const report = (events: DriftEvent[], apps: string[]) => send?.({ msg: { case: "drift", value: { events, apps } } });

  async function check(app: string, keys: Iterable<string>): Promise<void> {
    const t = tracked.get(app);
    if (!t || stopped) return;
    let changed = false;
    for (const key of keys) {
      const desired = t.objects.get(key);
      if (!desired) continue;
      const found = await compareObject(kube, desired, t.ignore);
      const before = t.drift.get(key);
      if (!found) {
        changed ||= t.drift.delete(key);
        continue;
      }
      const event = create(DriftEventSchema, { app, ref: objectRef(desired), fields: found.fields.map(({ path, desired: d, live }) => ({ path, desired: d, live })), manager: found.manager, deleted: found.deleted, firstSeen: before?.firstSeen ?? timestampNow() });
      if (before && sameDrift(before, event)) continue;
      if (!before) hooks.episode?.(app);
      t.drift.set(key, event);
      changed = true;
      // Paths only: values (Secret data above all) stay out of logs.
      log.info({ app, object: describeObject(desired), fields: event.fields.map((f) => f.path), manager: event.manager, deleted: event.deleted }, "drift detected");
    }
    if (!changed) return;
    if (t.a.selfHeal && t.drift.size) return hooks.heal(app);
    report([...t.drift.values()], [app]);
    hooks.findings.report({ kind: "drift", app, message: t.drift.size ? driftMessage(t) : undefined });
  }

  function schedule(app: string, keys: Iterable<string>): void {
    const set = pending.get(app) ?? new Set<string>();
    const first = set.size === 0;
    for (const k of keys) set.add(k);
    pending.set(app, set);
    // Coalesce a burst of watch events into one check per app.
    if (first) {
      hooks.lane(app, async () => {
        const todo = pending.get(app) ?? new Set();
        pending.delete(app);
        await check(app, todo).catch((err: unknown) => log.warn({ app, err: apiMessage(err) }, "drift check failed"));
      });
    }
  }

  function onEvent(type: string, obj: KubeObject): void {
    const key = keyOf(obj);
    const apps = [...tracked].filter(([, t]) => t.objects.has(key)).map(([app]) => app);
    if (!apps.length) return;
    const shape = createHash("sha1").update(JSON.stringify(withoutNoise(obj))).digest("base64");
    const compare = type === "DELETED" || seen.get(key) !== shape;
    if (type === "DELETED") seen.delete(key);
    else seen.set(key, shape);
    for (const app of apps) {
      if (compare) schedule(app, [key]);
      hooks.touched(app);
    }
  }

  function syncWatches(): void {
    for (const t of tracked.values()) {
      for (const o of t.objects.values()) {
        const scope = scopeOf(o);
        if (watched.has(scope)) continue;
        watched.add(scope);
        kube.cache.ensure(o.apiVersion, o.kind, o.metadata.namespace).catch((err: unknown) => {
          // Tried again at the next track().
          watched.delete(scope);
          log.debug({ watch: scope, err: apiMessage(err) }, "cannot watch");
        });
      }
    }
  }

  const unsubscribe = kube.cache.subscribe((type, obj) => {
    if (!stopped) onEvent(type, obj);
  });

  // The periodic full comparison catches what watches miss (restarts, events while down).
  const periodic = setInterval(() => {
    for (const [app, t] of tracked) schedule(app, t.objects.keys());
  }, intervalMs);

  return {
    track(a, applied) {
      const prev = tracked.get(a.app);
      tracked.set(a.app, { a, objects: new Map(applied.map((o) => [keyOf(o), o])), ignore: ignoreRules(a.ignoreFields), drift: new Map() });
      if (prev?.drift.size) {
        const healedAt = timestampNow();
        report([...prev.drift.values()].map((e) => ({ ...e, healedAt })), [a.app]);
        hooks.findings.report({ kind: "drift", app: a.app, message: undefined });
      }
      syncWatches();
    },
    untrack(app) {
      if (tracked.get(app)?.drift.size) report([], [app]);
      tracked.delete(app);
      syncWatches();
    },
    link(s) {
      send = s;
      if (s && tracked.size) report([...tracked.values()].flatMap((t) => [...t.drift.values()]), [...tracked.keys()]);
    },
    stop() {
      stopped = true;
      clearInterval(periodic);
      unsubscribe();
      seen.clear();
    },
  };
}

function sameDrift(a: DriftEvent, b: DriftEvent): boolean {
  const f = (e: DriftEvent) => JSON.stringify([e.deleted, e.manager, e.fields.map((x) => [x.path, x.desired, x.live])]);
  return f(a) === f(b);
}

function driftMessage(t: Tracked): string {
  const parts = [...t.drift.entries()].map(([key, e]) => `${key} ${e.deleted ? "deleted" : e.fields.map((f) => f.path).join(", ")}`);
  return `drift (selfHeal off): ${parts.join("; ")}`;
}
