// Update rules of the built-in kinds: what the REST strategies carry over from the old object before validation
// (PrepareForUpdate), and the immutable fields, worded as kube-apiserver words them (values printed like Go's %#v).
import type { FieldError } from "./errors.js";
import type { ResourceType } from "./kinds.js";
import { deepEqual, isObj, type KObj } from "./util.js";

const IMMUTABLE = "field is immutable";
const WHEN_IMMUTABLE = "field is immutable when `immutable` is set";
const STS_FORBIDDEN = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
const POD_FORBIDDEN = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";
const PVC_FORBIDDEN = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";
const STS_MUTABLE = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

const goString = (s: unknown): string => JSON.stringify(String(s));
const goStrings = (l: unknown): string => (Array.isArray(l) ? `[]string{${l.map(goString).join(", ")}}` : "[]string(nil)");
const goStringMap = (m: unknown): string => isObj(m)
  ? `map[string]string{${Object.keys(m).sort().map((k) => `${goString(k)}:${goString(m[k])}`).join(", ")}}`
  : "map[string]string(nil)";

/** metav1.LabelSelector as %#v prints it */
function goLabelSelector(sel: KObj | undefined): string {
  const exprs = Array.isArray(sel?.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel!.matchExpressions.map((e: KObj) => `v1.LabelSelectorRequirement{Key:${goString(e.key)}, Operator:${goString(e.operator)}, Values:${goStrings(e.values)}}`).join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel?.matchLabels)}, MatchExpressions:${exprs}}`;
}

const changed = (a: unknown, b: unknown) => !deepEqual(a ?? null, b ?? null);

/** a pod spec without the fields a pod update may change */
function podSpecShape(spec: KObj): KObj {
  const images = (list: unknown) => (Array.isArray(list) ? list.map((c: KObj) => ({ ...c, image: undefined })) : list);
  return { ...spec, containers: images(spec.containers), initContainers: images(spec.initContainers), activeDeadlineSeconds: undefined,
    tolerations: undefined, terminationGracePeriodSeconds: undefined };
}

/** values the strategy keeps from the old object when the update leaves them out */
export function prepareForUpdate(rt: ResourceType, old: KObj, obj: KObj): void {
  if (rt.group !== "" || rt.kind !== "Service" || !isObj(obj.spec) || !isObj(old.spec)) return;
  const s = obj.spec, o = old.spec;
  if (!s.clusterIP && !s.clusterIPs && o.clusterIP) {
    s.clusterIP = o.clusterIP;
    s.clusterIPs = o.clusterIPs;
  } else if (s.clusterIP !== o.clusterIP && deepEqual(s.clusterIPs, o.clusterIPs) && Array.isArray(s.clusterIPs)) {
    s.clusterIPs = s.clusterIP ? [s.clusterIP, ...s.clusterIPs.slice(1)] : undefined;
  }
  for (const p of (s.ports ?? []) as KObj[]) {
    const before = ((o.ports ?? []) as KObj[]).find((x) => x.port === p.port && (x.protocol ?? "TCP") === (p.protocol ?? "TCP"));
    if (isObj(p) && p.nodePort === undefined && before?.nodePort !== undefined && s.type !== "ClusterIP") p.nodePort = before.nodePort;
  }
}

export function immutableErrors(rt: ResourceType, old: KObj, obj: KObj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {}, before = old.spec ?? {};
  const immutable = (field: string, a: unknown, b: unknown, goValue: string) => {
    if (changed(a, b)) errs.push({ type: "Invalid", field, goValue, detail: IMMUTABLE });
  };
  switch (rt.group ? `${rt.kind}.${rt.group}` : rt.kind) {
    case "Service": {
      (before.clusterIPs ?? []).forEach((ip: string, i: number) => {
        if (i < (spec.clusterIPs ?? []).length && spec.clusterIPs[i] !== ip) {
          errs.push({ type: "Invalid", field: `spec.clusterIPs[${i}]`, goValue: goStrings(spec.clusterIPs), detail: "may not change once set" });
        }
      });
      break;
    }
    case "Deployment.apps": case "DaemonSet.apps": case "ReplicaSet.apps":
      immutable("spec.selector", before.selector, spec.selector, goLabelSelector(spec.selector));
      break;
    case "StatefulSet.apps": {
      const rest = (o: KObj) => Object.fromEntries(Object.entries(o).filter(([k]) => !STS_MUTABLE.includes(k)));
      if (changed(rest(before), rest(spec))) errs.push({ type: "Forbidden", field: "spec", detail: STS_FORBIDDEN });
      break;
    }
    case "Pod":
      if (changed(podSpecShape(before), podSpecShape(spec)) || !(before.tolerations ?? []).every((t: unknown, i: number) => deepEqual(t, spec.tolerations?.[i]))) {
        errs.push({ type: "Forbidden", field: "spec", detail: POD_FORBIDDEN });
      }
      break;
    case "PersistentVolumeClaim": {
      const rest = (o: KObj) => ({ ...o, resources: { ...(o.resources ?? {}), requests: undefined }, volumeAttributesClassName: undefined });
      if (changed(rest(before), rest(spec))) errs.push({ type: "Forbidden", field: "spec", detail: PVC_FORBIDDEN });
      break;
    }
    case "Job.batch":
      immutable("spec.selector", before.selector, spec.selector, goLabelSelector(spec.selector));
      immutable("spec.template", before.template, spec.template, "core.PodTemplateSpec{...}");
      immutable("spec.completions", before.completions, spec.completions, String(spec.completions ?? "null"));
      immutable("spec.completionMode", before.completionMode, spec.completionMode, goString(spec.completionMode));
      break;
    case "ConfigMap": case "Secret":
      if (old.immutable === true) {
        if (changed(old.data, obj.data)) errs.push({ type: "Forbidden", field: "data", detail: WHEN_IMMUTABLE });
        if (rt.kind === "ConfigMap" && changed(old.binaryData, obj.binaryData)) errs.push({ type: "Forbidden", field: "binaryData", detail: WHEN_IMMUTABLE });
        if (obj.immutable !== true) errs.push({ type: "Forbidden", field: "immutable", detail: WHEN_IMMUTABLE });
      }
      if (rt.kind === "Secret") immutable("type", old.type, obj.type, goString(obj.type));
      break;
    case "RoleBinding.rbac.authorization.k8s.io": case "ClusterRoleBinding.rbac.authorization.k8s.io":
      if (changed(old.roleRef, obj.roleRef)) {
        const r = obj.roleRef ?? {};
        errs.push({ type: "Invalid", field: "roleRef", goValue: `rbac.RoleRef{APIGroup:${goString(r.apiGroup ?? "")}, Kind:${goString(r.kind ?? "")}, Name:${goString(r.name ?? "")}}`, detail: "cannot change roleRef" });
      }
      break;
  }
  return errs;
}
