// The validation rules clients most often trip over, with the real server's wording.
import type { FieldError } from "./errors.js";
import type { ResourceType } from "./kinds.js";
import { immutableErrors } from "./immutable.js";
import { labelSelectorMatches } from "./selectors.js";
import { isObj, type KObj } from "./util.js";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const LABEL_NAMED = new Set(["Namespace", "Service"]);

export function validate(rt: ResourceType, obj: KObj, old?: KObj): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata?.name;
  if (!name) errs.push({ type: "Required", field: "metadata.name", detail: "name or generateName is required" });
  else if (LABEL_NAMED.has(rt.kind) && !rt.group) {
    if (!DNS1123_LABEL.test(name) || name.length > 63) errs.push({ type: "Invalid", field: "metadata.name", value: name, detail: LABEL_MSG });
  } else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
    if (!(rt.kind === "CustomResourceDefinition")) errs.push({ type: "Invalid", field: "metadata.name", value: name, detail: SUBDOMAIN_MSG });
  }
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {})) {
    if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) {
      errs.push({ type: "Invalid", field: `metadata.labels`, value: v, detail: "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" });
    }
    void k;
  }
  if (old && rt.group === "" && rt.kind === "Namespace") return errs;
  if (old) errs.push(...immutableErrors(rt, old, obj));
  switch (rt.kind) {
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet":
      workload(obj, errs);
      break;
    case "Pod":
      containers(obj.spec, "spec", errs);
      break;
    case "Job":
      containers(obj.spec?.template?.spec, "spec.template.spec", errs);
      break;
    case "CustomResourceDefinition":
      crd(obj, errs);
      break;
    case "ConfigMap": case "Secret":
      for (const k of Object.keys({ ...(obj.data ?? {}), ...(obj.binaryData ?? {}) })) {
        if (!/^[-._a-zA-Z0-9]+$/.test(k)) errs.push({ type: "Invalid", field: `data`, value: k, detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" });
      }
      break;
  }
  return errs;
}

function containers(spec: KObj | undefined, at: string, errs: FieldError[]): void {
  const cs = spec?.containers;
  if (!Array.isArray(cs) || cs.length === 0) { errs.push({ type: "Required", field: `${at}.containers` }); return; }
  cs.forEach((c: KObj, i: number) => {
    if (!c?.name) errs.push({ type: "Required", field: `${at}.containers[${i}].name` });
    if (!c?.image) errs.push({ type: "Required", field: `${at}.containers[${i}].image` });
  });
}

function workload(obj: KObj, errs: FieldError[]): void {
  const spec = obj.spec ?? {};
  if (!isObj(spec.selector)) errs.push({ type: "Required", field: "spec.selector" });
  else {
    const labels = spec.template?.metadata?.labels ?? {};
    if (!labelSelectorMatches(spec.selector, labels)) {
      errs.push({ type: "Invalid", field: "spec.template.metadata.labels", value: labels, detail: "`selector` does not match template `labels`" });
    }
  }
  if (typeof spec.replicas === "number" && spec.replicas < 0) {
    errs.push({ type: "Invalid", field: "spec.replicas", value: spec.replicas, detail: "must be greater than or equal to 0" });
  }
  containers(spec.template?.spec, "spec.template.spec", errs);
}

function crd(obj: KObj, errs: FieldError[]): void {
  const spec = obj.spec ?? {};
  const n = spec.names ?? {};
  if (!spec.group) errs.push({ type: "Required", field: "spec.group" });
  if (!n.plural) errs.push({ type: "Required", field: "spec.names.plural" });
  if (!n.kind) errs.push({ type: "Required", field: "spec.names.kind" });
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster") errs.push({ type: "NotSupported", field: "spec.scope", value: spec.scope ?? "", detail: 'supported values: "Cluster", "Namespaced"' });
  if (n.plural && spec.group && obj.metadata?.name !== `${n.plural}.${spec.group}`) {
    errs.push({ type: "Invalid", field: "metadata.name", value: obj.metadata?.name, detail: "must be spec.names.plural+\".\"+spec.group" });
  }
  const versions = spec.versions ?? [];
  if (!Array.isArray(versions) || versions.length === 0) errs.push({ type: "Invalid", field: "spec.versions", value: versions, detail: "must have exactly one version marked as storage version" });
  else if (versions.filter((v: KObj) => v.storage).length !== 1) errs.push({ type: "Invalid", field: "spec.versions", value: versions.map((v: KObj) => v.name), detail: "must have exactly one version marked as storage version" });
}
