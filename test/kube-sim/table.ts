// meta.k8s.io/v1 Table rendering for `kubectl get` (the columns the real server prints for common kinds).
import type { ResourceType } from "./kinds.js";
import { getPath, type KObj } from "./util.js";

type Col = { name: string; type: string; format?: string; priority?: number; get: (o: KObj) => unknown };

export function age(ts: string | undefined): string {
  if (!ts) return "<unknown>";
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const name: Col = { name: "Name", type: "string", format: "name", get: (o) => o.metadata.name };
const ageCol: Col = { name: "Age", type: "string", get: (o) => age(o.metadata.creationTimestamp) };

const COLUMNS: Record<string, Col[]> = {
  Namespace: [name, { name: "Status", type: "string", get: (o) => o.status?.phase ?? "" }, ageCol],
  ConfigMap: [name, { name: "Data", type: "integer", get: (o) => Object.keys({ ...(o.data ?? {}), ...(o.binaryData ?? {}) }).length }, ageCol],
  Secret: [name, { name: "Type", type: "string", get: (o) => o.type ?? "" }, { name: "Data", type: "string", get: (o) => Object.keys(o.data ?? {}).length }, ageCol],
  Deployment: [name,
    { name: "Ready", type: "string", get: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` },
    { name: "Up-to-date", type: "string", get: (o) => o.status?.updatedReplicas ?? 0 },
    { name: "Available", type: "string", get: (o) => o.status?.availableReplicas ?? 0 }, ageCol],
  StatefulSet: [name, { name: "Ready", type: "string", get: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` }, ageCol],
  DaemonSet: [name,
    { name: "Desired", type: "integer", get: (o) => o.status?.desiredNumberScheduled ?? 0 },
    { name: "Current", type: "integer", get: (o) => o.status?.currentNumberScheduled ?? 0 },
    { name: "Ready", type: "integer", get: (o) => o.status?.numberReady ?? 0 },
    { name: "Up-to-date", type: "integer", get: (o) => o.status?.updatedNumberScheduled ?? 0 },
    { name: "Available", type: "integer", get: (o) => o.status?.numberAvailable ?? 0 }, ageCol],
  Pod: [name,
    { name: "Ready", type: "string", get: (o) => `${(o.status?.containerStatuses ?? []).filter((c: KObj) => c.ready).length}/${(o.spec?.containers ?? []).length}` },
    { name: "Status", type: "string", get: (o) => (o.status?.containerStatuses ?? []).find((c: KObj) => c.state?.waiting)?.state.waiting.reason ?? o.status?.phase ?? "Pending" },
    { name: "Restarts", type: "string", get: () => "0" }, ageCol],
  Service: [name,
    { name: "Type", type: "string", get: (o) => o.spec?.type ?? "" },
    { name: "Cluster-IP", type: "string", get: (o) => o.spec?.clusterIP ?? "" },
    { name: "External-IP", type: "string", get: () => "<none>" },
    { name: "Port(s)", type: "string", get: (o) => (o.spec?.ports ?? []).map((p: KObj) => `${p.port}/${p.protocol ?? "TCP"}`).join(",") || "<none>" }, ageCol],
  Job: [name,
    { name: "Status", type: "string", get: (o) => (o.status?.conditions ?? []).some((c: KObj) => c.type === "Complete" && c.status === "True") ? "Complete" : (o.status?.conditions ?? []).some((c: KObj) => c.type === "Failed" && c.status === "True") ? "Failed" : "Running" },
    { name: "Completions", type: "string", get: (o) => `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}` }, ageCol],
  PersistentVolumeClaim: [name, { name: "Status", type: "string", get: (o) => o.status?.phase ?? "" }, ageCol],
  CustomResourceDefinition: [name, { name: "Created At", type: "date", get: (o) => o.metadata.creationTimestamp }],
};

export function columnsFor(rt: ResourceType): Col[] {
  if (rt.crd) {
    const extra = rt.printerColumns ?? [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }];
    return [name, ...extra.map((c) => ({
      name: c.name, type: c.type, format: c.format, priority: c.priority,
      get: (o: KObj) => (c.type === "date" ? age(getPath(o, c.jsonPath) as string | undefined) : getPath(o, c.jsonPath) ?? ""),
    }))];
  }
  return COLUMNS[rt.kind] ?? [name, ageCol];
}

export function toTable(rt: ResourceType, items: KObj[], listMeta: KObj, includeObject: string | null, tableVersion = "v1"): KObj {
  const cols = columnsFor(rt);
  return {
    kind: "Table", apiVersion: `meta.k8s.io/${tableVersion}`, metadata: listMeta,
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: "", priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.get(o)),
      object: includeObject === "None" ? undefined : includeObject === "Object" ? o
        : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
