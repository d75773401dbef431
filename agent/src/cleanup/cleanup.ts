import type { Logger } from "@gitfleet/shared";
import { createBackoff } from "@gitfleet/shared";
import type { Findings } from "../common/findings.js";
import type { Kube } from "../kube/client.js";
import { apiMessage } from "../kube/errors.js";
import { listInventories } from "../reconcile/inventory.js";
import { removeApp } from "./remove-app.js";

export interface CleanupDeps {
  kube: Kube;
  log: Logger;
  findings: Findings;
  /** Runs fn in the app's lane, after whatever is running for it. */
  lane(app: string, fn: () => Promise<void>): void;
  /** Assigned here (again), or the agent is stopping: leave the app's objects alone. */
  keep(app: string): boolean;
  /** The app's objects are pruned or released and its inventory is gone. */
  removed(app: string): void;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface Cleanup {
  /** The app is no longer assigned here: prune (prune on) or release what it applied, then forget it; retried until it succeeds. */
  remove(app: string): void;
  /** Apps with an inventory in the cluster: those unassigned while the agent was away are known only so. */
  inventoried(): Promise<string[]>;
  stop(): void;
}

export function createCleanup(deps: CleanupDeps): Cleanup {
  const { kube, log } = deps;
  const retries = new Map<string, { backoff: ReturnType<typeof createBackoff>; timer?: NodeJS.Timeout }>();

  function remove(app: string): void {
    deps.findings.report({ kind: "removed", app });
    deps.lane(app, async () => {
      if (deps.keep(app)) return;
      try {
        const pruned = await removeApp(kube, app);
        log.info({ app, pruned: pruned.filter((p) => p.action === "pruned").length }, "app unassigned; inventory removed");
        retries.delete(app);
        deps.removed(app);
      } catch (err) {
        log.warn({ app, err: apiMessage(err) }, "cannot remove unassigned app; retrying");
        const retry = retries.get(app) ?? { backoff: createBackoff(deps.retryBaseMs, deps.retryMaxMs) };
        retries.set(app, retry);
        retry.timer = setTimeout(() => deps.keep(app) || remove(app), retry.backoff.next());
      }
    });
  }

  return {
    remove,
    async inventoried() {
      try {
        return (await listInventories(kube)).map((i) => i.app);
      } catch (err) {
        log.warn({ err: apiMessage(err) }, "cannot list inventories");
        return [];
      }
    },
    stop() {
      for (const r of retries.values()) clearTimeout(r.timer);
    },
  };
}
