import type { Labels } from "@gitfleet/shared";
import type { KubeObject } from "@gitfleet/shared/manifest";
import { canonicalJson } from "./helm-values.js";
import type { RenderProblem } from "./errors.js";

/**
 * `${var}` substitution in rendered output, as Flux's postBuild does it, but only inside string
 * values of parsed objects: the result is always valid YAML, and a value stays a string.
 * Variables: `cluster.name`, `cluster.labels.<key>` and the App's (and target's) own `substitute`.
 * `${var:=default}` takes default when var is unset or empty; `$${x}` is the literal `${x}`.
 */

/** What a variable's value comes from for one cluster. */
export type SubstituteScope = { cluster: { name: string; labels: Labels }; vars: Record<string, string> };
/** The values of the variables an input uses; null: not set (a default may still apply). */
export type UsedValues = Record<string, string | null>;

/** An App-defined variable's name: no dots, so `cluster.*` stays the hub's. */
export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
// `$${...}` (escape) or `${...}` (reference), in one pass so an escape is never read as a reference.
const TOKEN = /\$(\$?)\{([^{}]*)\}/g;

type Ref = { name: string; fallback?: string } | { invalid: string };

function parseRef(body: string): Ref {
  const op = body.indexOf(":=");
  const name = op < 0 ? body : body.slice(0, op);
  const valid = name === "cluster.name" || (name.startsWith("cluster.labels.") && LABEL_KEY.test(name.slice("cluster.labels.".length))) || VAR_NAME.test(name);
  if (!valid) {
    const other = /^([A-Za-z_][A-Za-z0-9_.]*)(:?[-=?+])/.exec(body);
    return { invalid: other ? `unsupported operator "${other[2]}" in \${${body}} (only \${var:=default})` : `\${${body}} is not a variable reference` };
  }
  return op < 0 ? { name } : { name, fallback: body.slice(op + 2) };
}

/** The value of a variable for one cluster, undefined when not set. */
export function lookup(name: string, scope: SubstituteScope): string | undefined {
  if (name === "cluster.name") return scope.cluster.name;
  if (name.startsWith("cluster.labels.")) return scope.cluster.labels[name.slice("cluster.labels.".length)];
  return Object.hasOwn(scope.vars, name) ? scope.vars[name] : undefined;
}

/** Every string value in a tree, with its field path ("data.region", "spec.ports[0].name"). */
function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* strings(value[i], `${path}[${i}]`);
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) yield* strings(v, path ? `${path}.${k}` : k);
}

/**
 * The names of the variables referenced in the string values of a tree (escapes excluded), and
 * whether it needs a substitution pass at all (any `${`: references, escapes or malformed ones).
 */
export function scanReferences(tree: unknown): { vars: string[]; pass: boolean } {
  const out = new Set<string>();
  let pass = false;
  for (const [, s] of strings(tree, "")) {
    if (!s.includes("${")) continue;
    pass = true;
    for (const m of s.matchAll(TOKEN)) {
      if (m[1]) continue;
      const ref = parseRef(m[2]!);
      if ("name" in ref) out.add(ref.name);
    }
  }
  return { vars: [...out].sort(), pass };
}

export const referencedVars = (tree: unknown): string[] => scanReferences(tree).vars;

/** The values that decide one cluster's output: the group key of clusters that get the same bundle. */
export function usedValues(vars: readonly string[], scope: SubstituteScope): UsedValues {
  return Object.fromEntries(vars.map((v) => [v, lookup(v, scope) ?? null]));
}

/** Clusters that share the values of the variables used render once; keyed by those values. */
export function groupByValues<C extends { name: string; labels: Labels }>(clusters: readonly C[], vars: readonly string[], appVars: Record<string, string>): Map<string, { values: UsedValues; clusters: C[] }> {
  const groups = new Map<string, { values: UsedValues; clusters: C[] }>();
  for (const c of clusters) {
    const values = usedValues(vars, { cluster: { name: c.name, labels: c.labels }, vars: appVars });
    const key = canonicalJson(values);
    const g = groups.get(key);
    if (g) g.clusters.push(c);
    else groups.set(key, { values, clusters: [c] });
  }
  return groups;
}

/** One string with references replaced; `unescape` turns `$${x}` into `${x}` (the last pass only). */
function substituteString(s: string, values: UsedValues, unescape: boolean, fail: (message: string) => void): string {
  if (!s.includes("${")) return s;
  return s.replace(TOKEN, (all, escaped: string, body: string) => {
    if (escaped) return unescape ? all.slice(1) : all;
    const ref = parseRef(body);
    if ("invalid" in ref) {
      fail(`${ref.invalid}; write $\${...} for a literal`);
      return all;
    }
    const value = values[ref.name];
    if (value !== null && value !== undefined && (value !== "" || ref.fallback === undefined)) return value;
    if (ref.fallback !== undefined) return ref.fallback;
    fail(`variable ${ref.name} is not set and \${${ref.name}} has no default (\${${ref.name}:=value})`);
    return all;
  });
}

/** Replaces references in every string value of a tree, in place; returns what went wrong, by field. */
function substituteTree(tree: Record<string, unknown>, values: UsedValues, unescape: boolean, problem: (field: string, message: string) => void): void {
  const visit = (node: unknown, path: string): unknown => {
    if (typeof node === "string") return substituteString(node, values, unescape, (m) => problem(path, m));
    if (Array.isArray(node)) return node.map((v, i) => visit(v, `${path}[${i}]`));
    if (typeof node === "object" && node !== null) {
      for (const [k, v] of Object.entries(node)) (node as Record<string, unknown>)[k] = visit(v, path ? `${path}.${k}` : k);
    }
    return node;
  };
  visit(tree, "");
}

/** What the object is called in messages: "ConfigMap shop/settings". */
export function objectName(obj: KubeObject): string {
  return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name}`;
}

/** Substitutes in rendered objects, in place (the last pass: escapes become literal). */
export function substituteObjects(objects: KubeObject[], values: UsedValues): RenderProblem[] {
  const problems: RenderProblem[] = [];
  for (const obj of objects) {
    const name = objectName(obj);
    substituteTree(obj, values, true, (field, message) => problems.push({ message: `${name}: ${field}: ${message}` }));
  }
  return problems;
}

/** Substitutes in Helm values before the chart sees them; escapes stay for the pass over the output. */
export function substituteValues(values: Record<string, unknown>, used: UsedValues, field: string): { values: Record<string, unknown>; problems: RenderProblem[] } {
  const copy = structuredClone(values);
  const problems: RenderProblem[] = [];
  substituteTree(copy, used, false, (path, message) => problems.push({ message: `${field}.${path}: ${message}` }));
  return { values: copy, problems };
}
