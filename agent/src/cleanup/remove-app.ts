import type { Kube } from "../kube/client.js";
import { deleteInventory, loadInventory } from "../reconcile/inventory.js";
import { releaseStale, type ReleaseResult } from "../reconcile/ownership.js";
import { pruneStale, type PruneResult } from "../reconcile/prune.js";

/** An app unassigned from this cluster: prune all it applied (prune on) or let go of it (off), then forget it. */
export async function removeApp(kube: Kube, app: string): Promise<(PruneResult | ReleaseResult)[]> {
  const inventory = await loadInventory(kube, app);
  if (!inventory) return [];
  const results = inventory.prune ? await pruneStale(kube, app, inventory.entries) : await releaseStale(kube, app, inventory.entries);
  await deleteInventory(kube, app);
  return results;
}
