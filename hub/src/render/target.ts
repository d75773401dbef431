import { apiGroup, type KubeObject } from "@gitfleet/shared/manifest";

// Built-in cluster-scoped kinds that a target namespace must never be set on.
const CLUSTER_SCOPED = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
  "StorageClass", "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
  "APIService", "IngressClass", "RuntimeClass", "CSIDriver", "Node", "VolumeAttachment",
]);

export type TargetOptions = { namespace?: string; labels?: Record<string, string> };

/**
 * Sets the target namespace on namespaced objects lacking one and merges extra labels (the
 * target's win). Kinds defined as cluster-scoped by a CRD in the same bundle count as such.
 */
export function applyTarget(objects: KubeObject[], { namespace, labels }: TargetOptions): void {
  const crdClusterKinds = new Set(objects.filter(isClusterCrd).map((crd) => {
    const spec = crd.spec as { group: string; names: { kind: string } };
    return `${spec.group}/${spec.names.kind}`;
  }));
  for (const obj of objects) {
    const clusterScoped = CLUSTER_SCOPED.has(obj.kind) || crdClusterKinds.has(`${apiGroup(obj.apiVersion)}/${obj.kind}`);
    if (namespace && !clusterScoped && !obj.metadata.namespace) obj.metadata.namespace = namespace;
    if (labels && Object.keys(labels).length > 0) obj.metadata.labels = { ...obj.metadata.labels, ...labels };
  }
}

function isClusterCrd(obj: KubeObject): boolean {
  const spec = obj.spec as { scope?: unknown; group?: unknown; names?: { kind?: unknown } } | undefined;
  return obj.kind === "CustomResourceDefinition" && spec?.scope === "Cluster" &&
    typeof spec.group === "string" && typeof spec.names?.kind === "string";
}
