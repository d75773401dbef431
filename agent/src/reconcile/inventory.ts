import { refKeyOf, type KubeObject } from "@gitfleet/shared";
import type { Kube, ObjectId } from "../kube/client.js";
import { isNotFound } from "../kube/errors.js";
import { APP_LABEL, MANAGED_BY, MANAGER_VALUE } from "../common/labels.js";

/** Where inventories live: in the cluster, so they survive the agent and its state dir. */
export const SYSTEM_NAMESPACE = "gitfleet-system";
const INVENTORY_LABEL = "gitfleet.dev/inventory";

export type InventoryEntry = Required<ObjectId>;

export interface Inventory {
  app: string;
  /** Whether the app had prune on when this inventory was written; used when it is unassigned. */
  prune: boolean;
  entries: InventoryEntry[];
}

export function entryOf(obj: KubeObject): InventoryEntry {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name };
}

/** Identity regardless of version (the objectKey of the entry). */
export function entryKey(e: InventoryEntry): string {
  return refKeyOf(e);
}

const configMapName = (app: string) => `gitfleet-inventory-${app}`;

/** The kind and namespace the inventory is kept in, for warming the cache. */
export const INVENTORY_KINDS: KubeObject[] = [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "", namespace: SYSTEM_NAMESPACE } }];

export async function loadInventory(kube: Kube, app: string): Promise<Inventory | undefined> {
  // Inventories are labelled as managed by gitfleet: the cache has them all.
  const cm = await kube.cache.get({ apiVersion: "v1", kind: "ConfigMap", namespace: SYSTEM_NAMESPACE, name: configMapName(app) });
  return cm ? fromConfigMap(cm) : undefined;
}

/** Apps that have an inventory in the cluster, whether or not they are still assigned. */
export async function listInventories(kube: Kube): Promise<Inventory[]> {
  const cms = await kube.cache.list("v1", "ConfigMap", SYSTEM_NAMESPACE);
  return cms.filter((cm) => cm.metadata.labels?.[INVENTORY_LABEL] === "true").map(fromConfigMap);
}

export async function saveInventory(kube: Kube, inv: Inventory): Promise<void> {
  const entries = [...inv.entries].sort((a, b) => (entryKey(a) < entryKey(b) ? -1 : 1));
  const cm: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: configMapName(inv.app),
      namespace: SYSTEM_NAMESPACE,
      labels: { [MANAGED_BY]: MANAGER_VALUE, [APP_LABEL]: inv.app, [INVENTORY_LABEL]: "true" },
    },
    data: { app: inv.app, prune: String(inv.prune), entries: JSON.stringify(entries) },
  };
  try {
    await kube.apply(cm);
  } catch (err) {
    // 404: the namespace is missing. Made only then (no read first): a namespace-limited agent
    // may not patch namespaces, and one made by the install manifest is not in the cache.
    if (!isNotFound(err)) throw err;
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM_NAMESPACE, labels: { [MANAGED_BY]: MANAGER_VALUE } } });
    await kube.apply(cm);
  }
}

export async function deleteInventory(kube: Kube, app: string): Promise<void> {
  await kube.delete({ apiVersion: "v1", kind: "ConfigMap", namespace: SYSTEM_NAMESPACE, name: configMapName(app) });
}

function fromConfigMap(cm: KubeObject): Inventory {
  const data = (cm.data ?? {}) as Record<string, string>;
  return {
    app: data.app ?? cm.metadata.labels?.[APP_LABEL] ?? "",
    prune: data.prune === "true",
    entries: JSON.parse(data.entries ?? "[]") as InventoryEntry[],
  };
}
