import type { Kube } from "../kube/client.js";
import { deleteInventory, loadInventory } from "./inventory.js";
import { pruneStale, type PruneResult } from "./prune.js";

/** An app unassigned from this cluster: prune all it applied (when it had prune on), then forget it. */
export async function removeApp(kube: Kube, app: string): Promise<PruneResult[]> {
  const inventory = await loadInventory(kube, app);
  if (!inventory) return [];
  const results = inventory.prune ? await pruneStale(kube, app, inventory.entries) : [];
  await deleteInventory(kube, app);
  return results;
}
