import { applyOrder, type KubeObject } from "@gitfleet/shared";
import { readLive, type Kube } from "../kube/client.js";
import type { InventoryEntry } from "./inventory.js";
import { ownedBy } from "../common/labels.js";
import { describeObject } from "../common/object-ref.js";

export interface PruneResult {
  entry: InventoryEntry;
  action: "pruned" | "skipped";
  message: string;
}

const asObject = (e: InventoryEntry): KubeObject => ({ apiVersion: e.apiVersion, kind: e.kind, metadata: { name: e.name, namespace: e.namespace || undefined } });

/**
 * Deletes what the app applied before and no longer has, in reverse apply order. An object
 * that does not carry this app's ownership labels (someone else made or took it) is left alone.
 */
export async function pruneStale(kube: Kube, app: string, stale: readonly InventoryEntry[]): Promise<PruneResult[]> {
  const results: PruneResult[] = [];
  const byObject = new Map(stale.map((e) => [asObject(e), e]));
  for (const obj of applyOrder([...byObject.keys()]).reverse()) {
    const entry = byObject.get(obj)!;
    // A miss in the cache is read: an object that lost its labels is reported as not pruned.
    const live = await readLive(kube, { ...entry, namespace: entry.namespace || undefined });
    if (!live) continue;
    if (!ownedBy(live, app)) {
      results.push({ entry, action: "skipped", message: `${describeObject(obj)} not pruned: it is not labelled as managed by gitfleet for app "${app}"` });
      continue;
    }
    await kube.delete({ ...entry, namespace: entry.namespace || undefined });
    results.push({ entry, action: "pruned", message: `${describeObject(obj)} pruned` });
  }
  return results;
}
