import { HealthState, parseBundle, SyncState, type AppStatus, type Assignment, type KubeObject } from "@gitfleet/shared";
import { ignoreRules } from "../common/ignore.js";
import { appHealth } from "../health/app-health.js";
import { checkHealth } from "../health/check.js";
import type { Kube } from "../kube/client.js";
import { applyAll, warmCache, type AppliedObject, type ApplyMemory } from "./apply.js";
import { entryKey, entryOf, INVENTORY_KINDS, loadInventory, saveInventory, type InventoryEntry } from "./inventory.js";
import { classify, ClusterStateError, DependenciesNotReady, errorMessage, TerminalError, TransientError, type Outcome } from "./outcome.js";
import { releaseStale, type Owners, type ReleaseResult } from "./ownership.js";
import { pruneStale, type PruneResult } from "./prune.js";
import { ensureTargetNamespace } from "./target-namespace.js";
import { appStatus, type ObjectResultInit } from "../common/app-status.js";
import { objectRef, refOf } from "../common/object-ref.js";

export interface AppContext {
  kube: Kube;
  namespaces?: ReadonlySet<string>;
  /** This app's last applies, kept by its worker across runs. */
  memory?: ApplyMemory;
  /** Other Apps' claims on objects; without it, any object is applied over. */
  owners?: Owners;
}

export interface ReconcileOutput {
  status: AppStatus;
  /** Why the reconcile stopped short, if it did. */
  outcome?: Outcome;
  /** The objects as applied (namespaces resolved, labels set), for health re-checks and drift. */
  applied: KubeObject[];
}

/** One reconcile, top to bottom: check dependencies, build, apply, prune, health; status always. */
export async function reconcileApp(ctx: AppContext, a: Assignment, loadBundle: () => Promise<string>, unreadyDeps: readonly string[]): Promise<ReconcileOutput> {
  let applied: AppliedObject[] = [];
  let pruned: (PruneResult | ReleaseResult)[] = [];
  let health = HealthState.UNSPECIFIED;
  let healthOf: string[] = [];
  try {
    if (unreadyDeps.length) throw new DependenciesNotReady(`waiting for dependencies to be Healthy: ${unreadyDeps.join(", ")}`);
    const objects = await build(a, loadBundle);
    // The inventory's kinds too: it is read next.
    warmCache(ctx.kube, [...objects, ...INVENTORY_KINDS]);
    await ensureTargetNamespace(ctx.kube, a.createNamespace, ctx.namespaces !== undefined);
    const inventory = (await loadInventory(ctx.kube, a.app)) ?? { app: a.app, prune: a.prune, entries: [] };
    const ownership = ctx.owners && { app: a.app, refuseTakeover: a.refuseTakeover, owners: ctx.owners };
    applied = await applyAll({ kube: ctx.kube, app: a.app, namespaces: ctx.namespaces, ignore: ignoreRules(a.ignoreFields), memory: ctx.memory, ownership }, objects);
    const failed = applied.some((r) => r.action === "failed");
    const current = applied.filter((r) => r.action !== "failed").map((r) => entryOf(r.obj));
    const keys = new Set(current.map(entryKey));
    const stale = inventory.entries.filter((e) => !keys.has(entryKey(e)));
    // After a failed apply nothing is pruned: what runs stays until the new set applies cleanly.
    if (!failed) pruned = a.prune ? await pruneStale(ctx.kube, a.app, stale) : await releaseStale(ctx.kube, a.app, stale);
    const entries: InventoryEntry[] = failed ? [...current, ...stale] : current;
    if (inventoryChanged(inventory.entries, entries) || inventory.prune !== a.prune) await saveInventory(ctx.kube, { app: a.app, prune: a.prune, entries });
    const rated = await checkHealth(ctx.kube, applied.map((r) => r.obj), applied.map((r) => r.live));
    healthOf = rated.map((h) => h.status);
    health = appHealth(rated.map((h) => h.status));
    if (failed) throw failure(applied.filter((r) => r.action === "failed"));
    return { status: finalStatus(a, applied, pruned, healthOf, health), applied: applied.map((r) => r.obj) };
  } catch (err) {
    const outcome = classify(err);
    const status = finalStatus(a, applied, pruned, healthOf, health, err, outcome);
    return { status, outcome, applied: applied.filter((r) => r.action !== "failed").map((r) => r.obj) };
  }
}

/** Failures the cluster's state caused are retried; the rest wait for a new assignment. */
function failure(failed: readonly AppliedObject[]): Error {
  const message = failed.map((r) => r.message).join("; ");
  return failed.some((r) => r.retry) ? new ClusterStateError(message) : new TerminalError(message);
}

async function build(a: Assignment, loadBundle: () => Promise<string>): Promise<KubeObject[]> {
  let text: string;
  try {
    text = await loadBundle();
  } catch (err) {
    throw new TransientError(`bundle ${a.bundleDigest} is not available: ${errorMessage(err)}`, { cause: err });
  }
  try {
    return parseBundle(text);
  } catch (err) {
    throw new TerminalError(`bundle ${a.bundleDigest} is invalid: ${errorMessage(err)}`, { cause: err });
  }
}

function inventoryChanged(before: readonly InventoryEntry[], after: readonly InventoryEntry[]): boolean {
  const a = before.map(entryKey).sort().join("\n");
  const b = after.map(entryKey).sort().join("\n");
  return a !== b;
}

function finalStatus(a: Assignment, applied: AppliedObject[], pruned: (PruneResult | ReleaseResult)[], healthOf: string[], health: HealthState, err?: unknown, outcome?: Outcome): AppStatus {
  const objects: ObjectResultInit[] = [
    ...applied.map((r, i) => ({ ref: objectRef(r.obj), action: r.action, health: healthOf[i] ?? "", message: r.message })),
    ...pruned.map((p) => ({ ref: refOf(p.entry), action: p.action, health: "", message: p.message })),
  ];
  // A transient failure (network, 429, 5xx) is retried here on its own: not applied yet, but not
  // Failed, which a rollout counts against the revision (one dropped connection rolled a fleet back).
  const sync = !outcome ? SyncState.SYNCED : outcome === "wait" || outcome === "transient" ? SyncState.OUT_OF_SYNC : SyncState.FAILED;
  const message = err ? `${outcome === "transient" ? "retrying: " : ""}${errorMessage(err)}` : summary(applied, pruned);
  return appStatus(a, { sync, health, objects, message });
}

function summary(applied: AppliedObject[], pruned: (PruneResult | ReleaseResult)[]): string {
  const count = (action: string) => applied.filter((r) => r.action === action).length;
  const parts = [`${applied.length} objects applied (${count("created")} created, ${count("configured")} configured, ${count("unchanged")} unchanged)`];
  const gone = pruned.filter((p) => p.action === "pruned").length;
  if (gone) parts.push(`${gone} pruned`);
  const released = pruned.filter((p) => p.action === "released").length;
  if (released) parts.push(`${released} released`);
  return parts.join(", ");
}
