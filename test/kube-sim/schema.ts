// How lists and maps of each kind merge: associative keys (SSA), patch merge keys (strategic merge patch), atomicity.
import type { ResourceType } from "./kinds.js";

export interface ListInfo {
  /** SSA list type: map = associative by keys, set = primitive set, atomic = replaced whole */
  type: "map" | "set" | "atomic";
  keys?: string[];
  /** defaults for absent key fields (protocol: TCP) */
  keyDefaults?: Record<string, unknown>;
  /** strategic merge patch merge key; undefined = list is replaced by SMP */
  smpKey?: string;
  /** strategic merge patch strategy for primitive lists */
  smpMergePrimitives?: boolean;
}

const byKey = (keys: string[], smpKey = keys[0], keyDefaults?: Record<string, unknown>): ListInfo =>
  ({ type: "map", keys, smpKey, keyDefaults });

const ATOMIC: ListInfo = { type: "atomic" };
const PORT_DEFAULTS = { protocol: "TCP" };

const CONTAINER: Record<string, ListInfo> = {
  ports: byKey(["containerPort", "protocol"], "containerPort", PORT_DEFAULTS),
  env: byKey(["name"]),
  volumeMounts: byKey(["mountPath"]),
  volumeDevices: byKey(["devicePath"]),
  resizePolicy: ATOMIC,
};

const POD_SPEC: Record<string, ListInfo> = {
  containers: byKey(["name"]),
  initContainers: byKey(["name"]),
  ephemeralContainers: byKey(["name"]),
  volumes: byKey(["name"]),
  imagePullSecrets: byKey(["name"]),
  hostAliases: byKey(["ip"]),
  topologySpreadConstraints: byKey(["topologyKey", "whenUnsatisfiable"], "topologyKey"),
  resourceClaims: byKey(["name"]),
  schedulingGates: byKey(["name"]),
};

const COMMON: Record<string, ListInfo> = {
  "metadata.finalizers": { type: "set", smpMergePrimitives: true },
  "metadata.ownerReferences": byKey(["uid"]),
  "status.conditions": byKey(["type"]),
};

const PER_KIND: Record<string, Record<string, ListInfo>> = {
  Service: { "spec.ports": byKey(["port", "protocol"], "port", PORT_DEFAULTS) },
  Node: { "status.addresses": byKey(["type"]) },
  Endpoints: {},
};

/** Pod spec locations per kind. */
const POD_SPEC_AT: Record<string, string> = {
  Pod: "spec",
  Deployment: "spec.template.spec",
  StatefulSet: "spec.template.spec",
  DaemonSet: "spec.template.spec",
  ReplicaSet: "spec.template.spec",
  ReplicationController: "spec.template.spec",
  Job: "spec.template.spec",
  CronJob: "spec.jobTemplate.spec.template.spec",
};

/** Maps and structs replaced as a whole (+structType=atomic / +mapType=atomic). */
const ATOMIC_MAPS: Record<string, string[]> = {
  Deployment: ["spec.selector"], StatefulSet: ["spec.selector"], DaemonSet: ["spec.selector"],
  ReplicaSet: ["spec.selector"], Job: ["spec.selector"], Service: ["spec.selector"], ReplicationController: ["spec.selector"],
  NetworkPolicy: ["spec.podSelector"],
};

function crSchemaAt(schema: Record<string, any> | undefined, path: string[]): Record<string, any> | undefined {
  let s = schema;
  for (const seg of path) {
    if (!s) return undefined;
    if (seg === "[]") s = s.items;
    else s = s.properties?.[seg] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
  }
  return s;
}

export function listInfo(rt: ResourceType, path: string[]): ListInfo {
  const p = path.join(".").replace(/\.\[\]/g, "[]");
  if (COMMON[p]) return COMMON[p]!;
  if (rt.schema) {
    const s = crSchemaAt(rt.schema, path);
    const t = s?.["x-kubernetes-list-type"];
    if (t === "map") return { type: "map", keys: s!["x-kubernetes-list-map-keys"] ?? [] };
    if (t === "set") return { type: "set" };
    return ATOMIC;
  }
  const perKind = PER_KIND[rt.kind]?.[p];
  if (perKind) return perKind;
  const at = POD_SPEC_AT[rt.kind];
  if (at && p.startsWith(at + ".")) {
    const rest = p.slice(at.length + 1);
    if (POD_SPEC[rest]) return POD_SPEC[rest]!;
    const m = /^(?:containers|initContainers|ephemeralContainers)\[\]\.(\w+)$/.exec(rest);
    if (m && CONTAINER[m[1]!]) return CONTAINER[m[1]!]!;
  }
  return ATOMIC;
}

export function isAtomicMap(rt: ResourceType, path: string[]): boolean {
  if (rt.schema) return crSchemaAt(rt.schema, path)?.["x-kubernetes-map-type"] === "atomic";
  return ATOMIC_MAPS[rt.kind]?.includes(path.join(".")) ?? false;
}

/** Key object of an associative list item, with defaults filled in, keys sorted (as structured-merge-diff prints them). */
export function itemKey(info: ListInfo, item: unknown): Record<string, unknown> | undefined {
  if (typeof item !== "object" || item === null || !info.keys) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of [...info.keys].sort()) {
    const v = (item as Record<string, unknown>)[k] ?? info.keyDefaults?.[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
