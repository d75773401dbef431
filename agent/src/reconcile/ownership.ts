import { objectKey, type KubeObject } from "@gitfleet/shared";
import type { Kube } from "../kube/client.js";
import { describeObject } from "../common/object-ref.js";
import { entryKey, entryOf, loadInventory, type InventoryEntry } from "./inventory.js";
import { APP_LABEL, MANAGED_BY, MANAGER_VALUE, ownedBy } from "../common/labels.js";

/**
 * An object belongs to one App: the one named by its gitfleet.dev/app label. Another App's apply of
 * it is refused (retried with backoff) until the owner lets go: prunes it, or releases it (drops the
 * label) when it stops managing it without pruning. Objects made by kubectl or another tool are
 * adopted or refused by the App's takeover policy.
 */
export interface OwnershipPolicy {
  app: string;
  /** Takeover policy for objects gitfleet did not make: refuse instead of adopting them. */
  refuseTakeover?: boolean;
  owners: Owners;
}

/** What the agent knows about other Apps in this cluster. */
export interface Owners {
  /** Whether an App still holds an object it labelled (applying it now, assigned here, or its inventory lists it). */
  holds(owner: string, obj: KubeObject): Promise<boolean>;
  /** Marks obj as being applied by app; returns the other App applying it right now, if one is. */
  claim(app: string, obj: KubeObject): string | undefined;
}

/**
 * The objects each App is applying in its current run. Two Apps reconciled at once both see an
 * object missing; the first to claim it creates it, the other is refused.
 */
export function createClaims() {
  const byObject = new Map<string, string>();
  return {
    claim(app: string, obj: KubeObject): string | undefined {
      const key = objectKey(obj);
      const other = byObject.get(key);
      if (other && other !== app) return other;
      byObject.set(key, app);
      return undefined;
    },
    claimedBy: (app: string, obj: KubeObject) => byObject.get(objectKey(obj)) === app,
    /** The App's run ended: its labels and inventory speak for it from now on. */
    release(app: string): void {
      for (const [key, owner] of byObject) if (owner === app) byObject.delete(key);
    },
  };
}

/** Other Apps' hold on objects in this cluster: runs in flight (claims), and the inventories of Apps assigned here. */
export function clusterOwners(kube: Kube, claims: ReturnType<typeof createClaims>, assigned: (app: string) => boolean): Owners {
  return {
    claim: claims.claim,
    // An App holds an object it labelled while applying it, and while assigned here with its inventory (once written) listing it.
    async holds(owner, obj) {
      if (claims.claimedBy(owner, obj)) return true;
      const inventory = await loadInventory(kube, owner);
      if (!inventory) return assigned(owner);
      const key = entryKey(entryOf(obj));
      return inventory.entries.some((e) => entryKey(e) === key);
    },
  };
}

/** Why this App may not apply obj over the live object, or undefined when it may. */
export async function ownershipRefusal(policy: OwnershipPolicy, obj: KubeObject, live: KubeObject | undefined): Promise<string | undefined> {
  const refusal = await labelRefusal(policy, obj, live);
  // No await between the claim and the apply that follows: the claim decides a race.
  const racing = refusal ? undefined : policy.owners.claim(policy.app, obj);
  return refusal ?? (racing && ownedMessage(obj, racing, policy.app));
}

const ownedMessage = (obj: KubeObject, owner: string, app: string) =>
  `${describeObject(obj)} belongs to App "${owner}"; App "${app}" applies it only once "${owner}" lets go of it (drops it from its path or is deleted)`;

async function labelRefusal(policy: OwnershipPolicy, obj: KubeObject, live: KubeObject | undefined): Promise<string | undefined> {
  if (!live) return undefined;
  const labels = live.metadata.labels ?? {};
  const owner = labels[APP_LABEL];
  if (owner === policy.app) return undefined;
  if (owner && labels[MANAGED_BY] === MANAGER_VALUE) {
    // An owner gone from this cluster without letting go (an agent before releases existed): adopt.
    return (await policy.owners.holds(owner, obj)) ? ownedMessage(obj, owner, policy.app) : undefined;
  }
  // Released by an App (managed by gitfleet, no owner) is adopted; made by another tool, by policy.
  if (labels[MANAGED_BY] === MANAGER_VALUE || !policy.refuseTakeover) return undefined;
  const managers = [...new Set(((live.metadata.managedFields ?? []) as { manager?: string }[]).map((f) => f.manager).filter(Boolean))];
  const madeBy = managers.length ? ` (field managers: ${managers.join(", ")})` : "";
  return `${describeObject(obj)} exists and was not made by gitfleet${madeBy}; App "${policy.app}" has takeover: refuse: delete it, label it ${APP_LABEL}=${policy.app} to hand it over, or set takeover: adopt`;
}

export interface ReleaseResult {
  entry: InventoryEntry;
  action: "released";
  message: string;
}

/** Lets go of objects the App no longer manages but must not delete (prune off): another App may take them. */
export async function releaseStale(kube: Kube, app: string, stale: readonly InventoryEntry[]): Promise<ReleaseResult[]> {
  const results: ReleaseResult[] = [];
  for (const entry of stale) {
    const id = { ...entry, namespace: entry.namespace || undefined };
    // Only objects labelled for this app are released, and the cache has every labelled object.
    const live = await kube.cache.get(id);
    if (!live || !ownedBy(live, app)) continue;
    await kube.removeLabel(id, APP_LABEL);
    results.push({ entry, action: "released", message: `${describeObject({ kind: entry.kind, metadata: id })} released (prune is off): left in the cluster, no longer App "${app}"'s` });
  }
  return results;
}
