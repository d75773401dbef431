import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { DriftEventSchema, type Assignment, type DriftEvent, type KubeObject, type Logger } from "@gitfleet/shared";
import { WATCH_RESTART_BASE_MS, WATCH_RESTART_MAX_MS } from "../config/intervals.js";
import type { Outgoing } from "../connection/agent-link.js";
import { createBackoff } from "@gitfleet/shared";
import type { Kube } from "../kube/client.js";
import { MANAGED_BY, MANAGER_VALUE } from "../common/labels.js";
import { apiMessage } from "../kube/errors.js";
import type { Findings } from "../common/findings.js";
import { describeObject, keyOf, objectRef, refKey } from "../common/object-ref.js";
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

const MANAGED_SELECTOR = `${MANAGED_BY}=${MANAGER_VALUE}`;

export function createDriftDetector(kube: Kube, log: Logger, hooks: DriftHooks, intervalMs: number): DriftDetector {
  const tracked = new Map<string, Tracked>();
  const watches = new Map<string, { stop?: () => void; timer?: NodeJS.Timeout }>();
  const pending = new Map<string, Set<string>>();
  // Last seen spec and metadata per object: status-only updates (most events) need no comparison.
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

  function onEvent(type: string, kind: string, obj: KubeObject): void {
    if (type !== "MODIFIED" && type !== "DELETED") return;
    const key = refKey({ kind, ...obj.metadata });
    const apps = [...tracked].filter(([, t]) => t.objects.has(key)).map(([app]) => app);
    if (!apps.length) return;
    const shape = JSON.stringify(withoutNoise(obj));
    const compare = type === "DELETED" || seen.get(key) !== shape;
    if (type === "DELETED") seen.delete(key);
    else seen.set(key, shape);
    for (const app of apps) {
      if (compare) schedule(app, [key]);
      hooks.touched(app);
    }
  }

  function syncWatches(): void {
    const wanted = new Map<string, KubeObject>();
    for (const t of tracked.values()) for (const o of t.objects.values()) wanted.set(`${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ""}`, o);
    for (const [key, w] of watches) {
      if (wanted.has(key)) continue;
      w.stop?.();
      clearTimeout(w.timer);
      watches.delete(key);
    }
    for (const [key, o] of wanted) if (!watches.has(key)) startWatch(key, o);
  }

  function startWatch(key: string, o: KubeObject): void {
    const entry: { stop?: () => void; timer?: NodeJS.Timeout } = {};
    watches.set(key, entry);
    const backoff = createBackoff(WATCH_RESTART_BASE_MS, WATCH_RESTART_MAX_MS);
    const restart = (err?: unknown) => {
      if (stopped || watches.get(key) !== entry) return;
      if (err) log.debug({ watch: key, err: apiMessage(err) }, "watch failed; restarting");
      entry.timer = setTimeout(open, backoff.next());
    };
    const open = () => {
      kube.watch({
        apiVersion: o.apiVersion,
        kind: o.kind,
        namespace: o.metadata.namespace,
        labelSelector: MANAGED_SELECTOR,
        onEvent: (type, obj) => {
          backoff.reset();
          onEvent(type, o.kind, obj);
        },
        onDone: restart,
      }).then((stop) => {
        if (stopped || watches.get(key) !== entry) stop();
        else entry.stop = stop;
      }, restart);
    };
    open();
  }

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
      for (const w of watches.values()) {
        w.stop?.();
        clearTimeout(w.timer);
      }
      watches.clear();
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
