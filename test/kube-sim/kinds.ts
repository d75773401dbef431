// Resource types served: the built-in kinds plus those of Established CRDs.
export interface ScaleSpec { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string }
export interface PrinterColumn { name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  status: boolean;
  scale?: ScaleSpec;
  generation: boolean;
  /** openAPIV3Schema of a custom resource version */
  schema?: Record<string, unknown>;
  printerColumns?: PrinterColumn[];
  crd?: string;
}

export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

interface Def { kind: string; plural?: string; ns?: boolean; short?: string[]; cat?: string[]; status?: boolean; scale?: boolean; gen?: boolean; verbs?: string[] }

const APPS_SCALE: ScaleSpec = { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" };

function build(group: string, version: string, d: Def): ResourceType {
  const plural = d.plural ?? `${d.kind.toLowerCase()}s`;
  return {
    group, version, kind: d.kind, listKind: `${d.kind}List`, plural, singular: d.kind.toLowerCase(),
    namespaced: d.ns ?? true, shortNames: d.short ?? [], categories: d.cat ?? [], verbs: d.verbs ?? ALL_VERBS,
    status: d.status ?? false, scale: d.scale ? APPS_SCALE : undefined, generation: d.gen ?? false,
  };
}

const BUILTIN_DEFS: Array<[string, string, Def[]]> = [
  ["", "v1", [
    { kind: "Namespace", ns: false, short: ["ns"], status: true, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] },
    { kind: "ConfigMap", short: ["cm"] },
    { kind: "Secret" },
    { kind: "Service", short: ["svc"], cat: ["all"], status: true },
    { kind: "ServiceAccount", short: ["sa"] },
    { kind: "Pod", short: ["po"], cat: ["all"], status: true },
    { kind: "PersistentVolumeClaim", short: ["pvc"], status: true },
    { kind: "Node", ns: false, short: ["no"], status: true },
    { kind: "Event", short: ["ev"] },
    { kind: "Endpoints", plural: "endpoints", short: ["ep"] },
    // with PersistentVolume: on kubectl's default prune allow-list, which `apply --prune` maps before pruning
    { kind: "ReplicationController", short: ["rc"], cat: ["all"], status: true, scale: true, gen: true },
    { kind: "PersistentVolume", ns: false, short: ["pv"], status: true },
  ]],
  ["apps", "v1", [
    { kind: "Deployment", short: ["deploy"], cat: ["all"], status: true, scale: true, gen: true },
    { kind: "StatefulSet", short: ["sts"], cat: ["all"], status: true, scale: true, gen: true },
    { kind: "DaemonSet", short: ["ds"], cat: ["all"], status: true, gen: true },
    { kind: "ReplicaSet", short: ["rs"], cat: ["all"], status: true, scale: true, gen: true },
    { kind: "ControllerRevision" },
  ]],
  ["batch", "v1", [
    { kind: "Job", cat: ["all"], status: true, gen: true },
    { kind: "CronJob", short: ["cj"], cat: ["all"], status: true, gen: true },
  ]],
  ["networking.k8s.io", "v1", [
    { kind: "Ingress", plural: "ingresses", short: ["ing"], status: true, gen: true },
    { kind: "NetworkPolicy", plural: "networkpolicies", short: ["netpol"], gen: true },
  ]],
  ["rbac.authorization.k8s.io", "v1", [
    { kind: "Role" }, { kind: "RoleBinding" },
    { kind: "ClusterRole", ns: false }, { kind: "ClusterRoleBinding", ns: false },
  ]],
  ["coordination.k8s.io", "v1", [{ kind: "Lease" }]],
  ["policy", "v1", [{ kind: "PodDisruptionBudget", short: ["pdb"], status: true, gen: true }]],
  ["apiextensions.k8s.io", "v1", [
    { kind: "CustomResourceDefinition", ns: false, short: ["crd", "crds"], status: true, gen: true },
  ]],
];

export function builtinTypes(): ResourceType[] {
  return BUILTIN_DEFS.flatMap(([g, v, defs]) => defs.map((d) => build(g, v, d)));
}

/** Resource types of one CRD (one per served version). */
export function typesFromCrd(crd: Record<string, any>): ResourceType[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  return (spec.versions ?? []).filter((v: any) => v.served !== false).map((v: any): ResourceType => ({
    group: spec.group, version: v.name, kind: names.kind, listKind: names.listKind ?? `${names.kind}List`,
    plural: names.plural, singular: names.singular ?? String(names.kind).toLowerCase(),
    namespaced: spec.scope !== "Cluster", shortNames: names.shortNames ?? [], categories: names.categories ?? [],
    verbs: ALL_VERBS, status: !!v.subresources?.status, scale: v.subresources?.scale, generation: true,
    schema: v.schema?.openAPIV3Schema, printerColumns: v.additionalPrinterColumns, crd: crd.metadata?.name,
  }));
}

export function apiVersionOf(rt: { group: string; version: string }): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The registry: resource types by group/version/plural, plus lookup by kind. */
export class Registry {
  private types = new Map<string, ResourceType>();
  /** bumps whenever the set of types changes (discovery/openapi caches key on it) */
  epoch = 0;
  constructor() {
    for (const t of builtinTypes()) this.add(t);
  }
  add(t: ResourceType): void {
    this.types.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.epoch++;
  }
  removeCrd(crdName: string): ResourceType[] {
    const gone = [...this.types.values()].filter((t) => t.crd === crdName);
    for (const t of gone) this.types.delete(`${t.group}/${t.version}/${t.plural}`);
    if (gone.length) this.epoch++;
    return gone;
  }
  byResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.get(`${group}/${version}/${plural}`);
  }
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    for (const t of this.types.values()) if (t.group === group && t.version === version && t.kind === kind) return t;
    return undefined;
  }
  all(): ResourceType[] {
    return [...this.types.values()];
  }
  groupVersions(): Map<string, ResourceType[]> {
    const m = new Map<string, ResourceType[]>();
    for (const t of this.types.values()) {
      const k = apiVersionOf(t);
      const list = m.get(k) ?? [];
      list.push(t);
      m.set(k, list);
    }
    return m;
  }
}

/** Storage key shared by all versions of a resource (custom resources may be served in several versions). */
export function storageKey(rt: { group: string; plural: string }): string {
  return `${rt.group}/${rt.plural}`;
}
