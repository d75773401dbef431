/** Label maps as k=v lists, the way kubectl and the CLI spell them. */
export type Labels = Record<string, string>;

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export class LabelError extends Error {
  override name = "LabelError";
}

export function validateLabel(key: string, value: string): void {
  if (!KEY.test(key)) throw new LabelError(`invalid label key "${key}": must be a Kubernetes label key (e.g. env or example.com/tier)`);
  if (!VALUE.test(value)) throw new LabelError(`invalid value "${value}" for label "${key}": at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`);
}

/** Parses "k=v,k2=v2" (empty string gives {}). */
export function parseLabels(text: string | undefined): Labels {
  const labels: Labels = {};
  for (const part of (text ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new LabelError(`invalid label "${part}": expected key=value`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    validateLabel(key, value);
    labels[key] = value;
  }
  return labels;
}

export function formatLabels(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Cluster names are DNS-1123 labels so they can appear in Kubernetes object names. */
export function validateName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw new LabelError(`invalid ${kind} name "${name}": lowercase letters, digits and '-', at most 63, starting and ending alphanumeric`);
  }
}
