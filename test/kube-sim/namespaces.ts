// Namespace termination as kube-controller-manager's namespace controller does it: a while after the DELETE,
// delete the content, report what remains in the Namespace's conditions, then finalize (drop the "kubernetes"
// entry of spec.finalizers) and remove the Namespace once no finalizer of either kind is left.
import type { Cluster } from "./cluster.js";
import type { ResourceType } from "./kinds.js";
import { clone, deepEqual, nowIso, type KObj } from "./util.js";

const RETRY_MS = 50;

export class NamespaceLifecycle {
  constructor(private readonly c: Cluster, private readonly delayMs: number) {}

  /** the Namespace has just been marked Terminating */
  terminating(ns: string): void {
    this.c.scheduler.after(this.delayMs, () => this.sweep(ns));
  }

  private get nsRt(): ResourceType {
    return this.c.registry.byResource("", "v1", "namespaces")!;
  }

  private sweep(ns: string): void {
    const nsObj = this.c.store.get(this.nsRt, undefined, ns);
    if (!nsObj?.metadata.deletionTimestamp) return;
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const t of this.c.registry.all()) {
      if (!t.namespaced) continue;
      for (const obj of this.c.store.list(t, ns)) {
        if (!obj.metadata.deletionTimestamp) {
          try { this.c.delete(t, ns, obj.metadata.name, { propagationPolicy: "Background" }); } catch { /* already gone */ }
        }
        const still = this.c.store.get(t, ns, obj.metadata.name);
        if (!still) continue;
        const gr = t.group ? `${t.plural}.${t.group}` : t.plural;
        remaining.set(gr, (remaining.get(gr) ?? 0) + 1);
        for (const f of (still.metadata.finalizers ?? []) as string[]) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      }
    }
    this.report(nsObj, remaining, finalizers);
    if (remaining.size) { this.c.scheduler.after(RETRY_MS, () => this.sweep(ns)); return; }
    this.finalize(ns);
  }

  private report(nsObj: KObj, remaining: Map<string, number>, finalizers: Map<string, number>): void {
    const list = (m: Map<string, number>, what: string) =>
      [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${what} ${n} resource instances`).join(", ");
    const conds = [
      { type: "NamespaceDeletionDiscoveryFailure", status: "False", reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
      { type: "NamespaceDeletionGroupVersionParsingFailure", status: "False", reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
      { type: "NamespaceDeletionContentFailure", status: "False", reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
      remaining.size
        ? { type: "NamespaceContentRemaining", status: "True", reason: "SomeResourcesRemain", message: `Some resources are remaining: ${list(remaining, "has")}` }
        : { type: "NamespaceContentRemaining", status: "False", reason: "ContentRemoved", message: "All content successfully removed" },
      finalizers.size
        ? { type: "NamespaceFinalizersRemaining", status: "True", reason: "SomeFinalizersRemain", message: `Some content in the namespace has finalizers remaining: ${list(finalizers, "in")}` }
        : { type: "NamespaceFinalizersRemaining", status: "False", reason: "ContentHasNoFinalizers", message: "All content-preserving finalizers finished" },
    ];
    const prev = (nsObj.status?.conditions ?? []) as KObj[];
    const conditions = conds.map((c) => {
      const old = prev.find((p) => p.type === c.type);
      const same = old && old.status === c.status && old.reason === c.reason && old.message === c.message;
      return { ...c, lastTransitionTime: same ? old.lastTransitionTime : nowIso() };
    });
    if (!deepEqual(prev, conditions)) this.c.putStatus(this.nsRt, nsObj, { ...nsObj.status, phase: "Terminating", conditions });
  }

  /** the controller's PUT .../finalize, then removal when no metadata finalizer holds the Namespace */
  private finalize(ns: string): void {
    const cur = this.c.store.get(this.nsRt, undefined, ns);
    if (!cur) return;
    if ((cur.spec?.finalizers ?? []).includes("kubernetes")) {
      const obj = clone(cur);
      obj.spec.finalizers = obj.spec.finalizers.filter((f: string) => f !== "kubernetes");
      if (!obj.spec.finalizers.length) delete obj.spec.finalizers;
      this.c.store.put(this.nsRt, obj);
    }
    this.c.removeIfFinalized(this.nsRt, this.c.store.get(this.nsRt, undefined, ns)!);
  }
}

/** a Namespace also waits for its spec.finalizers */
export function finalized(rt: ResourceType, obj: KObj): boolean {
  if (obj.metadata.finalizers?.length) return false;
  return !(rt.kind === "Namespace" && rt.group === "" && obj.spec?.finalizers?.length);
}
