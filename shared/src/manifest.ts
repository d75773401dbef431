import { createHash } from "node:crypto";

/** A Kubernetes object as it appears in a manifest: only identity fields are typed. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

export type ObjectKeyParts = { group: string; kind: string; namespace: string; name: string };

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/**
 * "group/Kind/namespace/name"; group and namespace are "" for core and cluster-scoped. The version
 * is left out: apps/v1 and apps/v1beta1 name the same object.
 */
export function objectKey(obj: KubeObject): string {
  return refKeyOf({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
}

/** objectKey of a flat reference (inventory entries, object refs). */
export function refKeyOf(ref: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return `${apiGroup(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

export function parseObjectKey(key: string): ObjectKeyParts {
  const parts = key.split("/");
  if (parts.length !== 4 || !parts[1] || !parts[3]) {
    throw new Error(`invalid object key "${key}": want group/Kind/namespace/name`);
  }
  const [group, kind, namespace, name] = parts as [string, string, string, string];
  return { group, kind, namespace, name };
}

export function isKubeObject(value: unknown): value is KubeObject {
  if (!isRecord(value) || !isRecord(value.metadata)) return false;
  return nonEmpty(value.apiVersion) && nonEmpty(value.kind) && nonEmpty(value.metadata.name);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Code-unit comparison, not localeCompare: the order must not depend on the host's locale.
function canonicalRank(obj: KubeObject): number {
  if (obj.kind === "Namespace") return 0;
  return obj.kind === "CustomResourceDefinition" ? 1 : 2;
}

function canonicalCompare(a: KubeObject, b: KubeObject): number {
  return canonicalRank(a) - canonicalRank(b) || compare(objectKey(a), objectKey(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort(compare)) {
    if (value[k] !== undefined) out[k] = sortKeys(value[k]);
  }
  return out;
}

/**
 * Canonical bundle text: JSON lines, one object per line, keys sorted recursively, objects
 * ordered Namespaces, CRDs, then by objectKey. JSON (not YAML) so the bytes have exactly one
 * spelling, which is what makes the digest content-addressed.
 */
export function canonicalize(objects: readonly KubeObject[]): string {
  const sorted = [...objects].sort(canonicalCompare);
  return sorted.map((o) => JSON.stringify(sortKeys(o)) + "\n").join("");
}

export function bundleDigest(canonicalText: string): string {
  return "sha256:" + createHash("sha256").update(canonicalText, "utf8").digest("hex");
}

/** Inverse of canonicalize. Throws naming the line when a line is not a Kubernetes object. */
export function parseBundle(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`bundle line ${i + 1}: ${(err as Error).message}`);
    }
    if (!isKubeObject(value)) {
      throw new Error(`bundle line ${i + 1}: not a Kubernetes object (apiVersion, kind, metadata.name)`);
    }
    objects.push(value);
  });
  return objects;
}

// Kinds in the order they are applied (Helm's install order, as Flux uses it): what others
// depend on first. Kinds not listed (custom resources) follow the built-ins; API services and
// webhooks go last so they cannot block the objects that serve them.
const APPLY_FIRST = [
  "/Namespace", "apiextensions.k8s.io/CustomResourceDefinition",
  "/ResourceQuota", "/LimitRange", "scheduling.k8s.io/PriorityClass",
  "storage.k8s.io/StorageClass", "node.k8s.io/RuntimeClass", "networking.k8s.io/IngressClass",
  "policy/PodSecurityPolicy", "/ServiceAccount",
  "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
  "rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/RoleBinding",
  "networking.k8s.io/NetworkPolicy", "/Secret", "/ConfigMap",
  "/PersistentVolume", "/PersistentVolumeClaim", "/Service",
  "apps/DaemonSet", "/Pod", "/ReplicationController", "apps/ReplicaSet", "apps/Deployment",
  "autoscaling/HorizontalPodAutoscaler", "apps/StatefulSet", "batch/Job", "batch/CronJob",
  "policy/PodDisruptionBudget", "networking.k8s.io/Ingress",
];
const APPLY_LAST = [
  "apiregistration.k8s.io/APIService",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
];

function applyRank(obj: KubeObject): number {
  const gk = `${apiGroup(obj.apiVersion)}/${obj.kind}`;
  const first = APPLY_FIRST.indexOf(gk);
  if (first >= 0) return first;
  const last = APPLY_LAST.indexOf(gk);
  return last >= 0 ? APPLY_FIRST.length + 1 + last : APPLY_FIRST.length;
}

/** Objects in the order the agent applies them (prune in reverse); ties by objectKey. */
export function applyOrder(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort(
    (a, b) => applyRank(a) - applyRank(b) || compare(objectKey(a), objectKey(b)),
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}
