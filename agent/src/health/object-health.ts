import { apiGroup, type KubeObject } from "@gitfleet/shared";

/** kstatus-style status of one live object; NotFound when it is not in the cluster. */
export type ObjectStatus = "Current" | "InProgress" | "Failed" | "NotFound";

export interface ObjectHealth {
  status: ObjectStatus;
  message: string;
}

type Condition = { type?: string; status?: string; reason?: string; message?: string };
type Live = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const current = (message = ""): ObjectHealth => ({ status: "Current", message });
const progressing = (message: string): ObjectHealth => ({ status: "InProgress", message });
const failed = (message: string): ObjectHealth => ({ status: "Failed", message });

const RULES: Record<string, (o: Live) => ObjectHealth> = {
  "apps/Deployment": deployment,
  "apps/StatefulSet": statefulSet,
  "apps/DaemonSet": daemonSet,
  "batch/Job": job,
  "/PersistentVolumeClaim": pvc,
  "apiextensions.k8s.io/CustomResourceDefinition": crd,
};

// Kinds that have no status to wait for: Current as soon as they exist.
const STATIC = new Set(["/ConfigMap", "/Secret", "/Service", "/ServiceAccount", "/Namespace", "/LimitRange", "/ResourceQuota", "/Endpoints"]);
const STATIC_GROUPS = new Set(["rbac.authorization.k8s.io", "networking.k8s.io", "scheduling.k8s.io", "policy", "admissionregistration.k8s.io"]);

/** True when the object's health comes from its status (workloads, PVCs, CRDs, custom resources): it must be read fresh. */
export function hasHealthStatus(o: KubeObject): boolean {
  const group = apiGroup(o.apiVersion);
  if (`${group}/${o.kind}` in RULES) return true;
  if (STATIC.has(`${group}/${o.kind}`) || STATIC_GROUPS.has(group)) return conditions(o as Live).length > 0;
  return true;
}

export function objectHealth(live: KubeObject | undefined): ObjectHealth {
  if (!live) return { status: "NotFound", message: "not found" };
  const o = live as Live;
  if (o.metadata.deletionTimestamp) return progressing("being deleted");
  const stale = staleGeneration(o);
  if (stale) return stale;
  const rule = RULES[`${apiGroup(o.apiVersion)}/${o.kind}`];
  return rule ? rule(o) : readyCondition(o);
}

function conditions(o: Live): Condition[] {
  const c = o.status?.conditions;
  return Array.isArray(c) ? (c as Condition[]) : [];
}

function condition(o: Live, type: string): Condition | undefined {
  return conditions(o).find((c) => c.type === type);
}

function num(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

// The controller has not seen the latest spec yet: whatever status says is about an older one.
function staleGeneration(o: Live): ObjectHealth | undefined {
  const observed = o.status?.observedGeneration;
  const generation = o.metadata.generation;
  if (typeof observed === "number" && typeof generation === "number" && observed < generation) {
    return progressing(`observed generation ${observed} < ${generation}`);
  }
  return undefined;
}

function deployment(o: Live): ObjectHealth {
  const p = condition(o, "Progressing");
  if (p?.status === "False" && p.reason === "ProgressDeadlineExceeded") return failed(p.message || "progress deadline exceeded");
  if (o.status?.observedGeneration === undefined) return progressing("not observed yet");
  const want = typeof o.spec?.replicas === "number" ? o.spec.replicas : 1;
  const s = o.status;
  if (num(s.updatedReplicas) < want) return progressing(`${num(s.updatedReplicas)}/${want} replicas updated`);
  if (num(s.replicas) > num(s.updatedReplicas)) return progressing(`${num(s.replicas) - num(s.updatedReplicas)} old replicas pending termination`);
  if (num(s.availableReplicas) < want) return progressing(`${num(s.availableReplicas)}/${want} replicas available`);
  return current(`${want} replicas available`);
}

function statefulSet(o: Live): ObjectHealth {
  if (o.status?.observedGeneration === undefined) return progressing("not observed yet");
  const want = typeof o.spec?.replicas === "number" ? o.spec.replicas : 1;
  const s = o.status;
  if (num(s.readyReplicas) < want) return progressing(`${num(s.readyReplicas)}/${want} replicas ready`);
  if (s.updateRevision && s.currentRevision !== s.updateRevision) return progressing("rolling update in progress");
  return current(`${want} replicas ready`);
}

function daemonSet(o: Live): ObjectHealth {
  const s = o.status;
  if (s?.observedGeneration === undefined) return progressing("not observed yet");
  const want = num(s.desiredNumberScheduled);
  if (num(s.updatedNumberScheduled) < want) return progressing(`${num(s.updatedNumberScheduled)}/${want} pods updated`);
  if (num(s.numberAvailable ?? s.numberReady) < want) return progressing(`${num(s.numberAvailable ?? s.numberReady)}/${want} pods available`);
  return current(`${want} pods available`);
}

function job(o: Live): ObjectHealth {
  const f = condition(o, "Failed");
  if (f?.status === "True") return failed(f.message || f.reason || "job failed");
  if (condition(o, "Complete")?.status === "True") return current("complete");
  return progressing("running");
}

function pvc(o: Live): ObjectHealth {
  const phase = o.status?.phase;
  return phase === "Bound" ? current("bound") : progressing(`phase ${String(phase ?? "Pending")}`);
}

function crd(o: Live): ObjectHealth {
  return condition(o, "Established")?.status === "True" ? current("established") : progressing("not established yet");
}

// Custom resources following the Ready/Stalled convention; anything else is Current once it exists.
function readyCondition(o: Live): ObjectHealth {
  const stalled = condition(o, "Stalled");
  if (stalled?.status === "True") return failed(stalled.message || stalled.reason || "stalled");
  const ready = condition(o, "Ready");
  if (!ready) return current();
  if (ready.status === "True") return current(ready.message ?? "");
  return progressing(ready.message || ready.reason || "not ready");
}
