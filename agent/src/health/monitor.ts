import type { KubeObject, Logger } from "@gitfleet/shared";
import type { Findings } from "../common/findings.js";
import { keyOf } from "../common/object-ref.js";
import type { Kube } from "../kube/client.js";
import { apiMessage } from "../kube/errors.js";
import { appHealth } from "./app-health.js";
import { checkHealth } from "./check.js";
import { hasHealthStatus } from "./object-health.js";

export interface HealthMonitorDeps {
  kube: Kube;
  log: Logger;
  findings: Findings;
  /** Runs fn in the app's lane, never concurrently with its reconcile. */
  lane(app: string, fn: () => Promise<void>): void;
  /** A run of the app is queued (it rates health itself) or the app is not running here: skip a refresh. */
  busy(app: string): boolean;
}

export interface HealthMonitor {
  /** After a full reconcile: the objects as applied, rated from now on. */
  track(app: string, applied: readonly KubeObject[]): void;
  untrack(app: string): void;
  /** Rates the app's objects now and reports the finding; throws when the API server cannot tell. */
  check(app: string): Promise<void>;
  /** One of the app's objects changed (a watch event): rate again now instead of at the next re-check. */
  touched(app: string): void;
  stop(): void;
}

/** The app's health and each object's (by refKey), read from the cluster. */
export async function rateApp(kube: Kube, applied: readonly KubeObject[]) {
  // Only objects whose health lives in their status are read; a deleted static object is the drift detector's.
  const rated = await checkHealth(kube, applied, applied.map((o) => (hasHealthStatus(o) ? undefined : o)));
  return { health: appHealth(rated.map((h) => h.status)), objects: new Map(applied.map((o, i) => [keyOf(o), rated[i]!.status as string])) };
}

export function createHealthMonitor(deps: HealthMonitorDeps): HealthMonitor {
  const tracked = new Map<string, readonly KubeObject[]>();
  // Apps with a refresh waiting in their lane: a burst of watch events rates once.
  const refreshing = new Set<string>();
  let stopped = false;

  async function check(app: string): Promise<void> {
    const applied = tracked.get(app);
    if (!applied) return;
    const rated = await rateApp(deps.kube, applied);
    // Untracked while the objects were read: the app's status is gone.
    if (tracked.get(app) === applied) deps.findings.report({ kind: "health", app, ...rated });
  }

  return {
    track: (app, applied) => void tracked.set(app, applied),
    untrack: (app) => void tracked.delete(app),
    check,
    touched(app) {
      if (!tracked.has(app) || refreshing.has(app) || stopped || deps.busy(app)) return;
      refreshing.add(app);
      deps.lane(app, async () => {
        refreshing.delete(app);
        if (stopped) return;
        await check(app).catch((err: unknown) => deps.log.debug({ app, err: apiMessage(err) }, "health check failed"));
      });
    },
    stop() {
      stopped = true;
    },
  };
}
