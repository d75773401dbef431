import type { Labels } from "@gitfleet/shared";
import type { TargetSelector } from "../targeting/index.js";
import { parseRolloutSpec, type RolloutSpec } from "../rollout/strategy.js";
import { boolean, FieldError, labels, list, name, object, onlyKeys, optionalString, repoPath, string } from "./fields.js";
import { parseSelector } from "./selector.js";
import { parseAppHelm, parseTargetHelm, type AppHelm, type TargetHelm } from "./helm.js";
import { parseSubstitute } from "./substitute.js";

/** createNamespace: false leaves the target namespace to someone else (it is created by default). */
export type AppTarget = TargetSelector & { name: string; overlay?: string; namespace?: string; createNamespace?: boolean; labels?: Labels; helm?: TargetHelm; substitute?: Record<string, string> };
export const TAKEOVER = ["adopt", "refuse"] as const;
export type IgnoreDifference = { group: string; kind: string; fields: string[] };

/** An App spec with defaults filled in; stored as is (it holds no secrets). */
export type AppSpec = {
  source: string;
  path: string;
  prune: boolean;
  selfHeal: boolean;
  dependsOn: string[];
  revision?: string;
  ignoreDifferences: IgnoreDifference[];
  /** Objects in the cluster that gitfleet did not make: adopt them (default) or refuse to apply over them. */
  takeover?: (typeof TAKEOVER)[number];
  /** An empty render is an error unless this is set (a typo'd or emptied path must not prune everything). */
  allowEmpty?: boolean;
  targets: AppTarget[];
  /** As written; defaults are applied when a rollout runs (hub/src/rollout/strategy.ts). */
  rollout?: RolloutSpec;
  /** Used when path is a Helm chart; specs stored before Helm support lack it. */
  helm?: AppHelm;
  /** Variables for `${...}` in the rendered output (a target's merged over these); set (even empty) turns substitution on. */
  substitute?: Record<string, string>;
};

const APP_FIELDS = ["source", "path", "prune", "selfHeal", "dependsOn", "revision", "ignoreDifferences", "takeover", "allowEmpty", "targets", "rollout", "helm", "substitute"];
const TARGET_FIELDS = ["name", "clusterSelector", "clusterGroup", "clusterNames", "overlay", "namespace", "createNamespace", "labels", "helm", "substitute"];

export function parseAppSpec(value: unknown, appName: string): AppSpec {
  const spec = object(value, "spec");
  onlyKeys(spec, APP_FIELDS, "spec");
  const revision = optionalString(spec.revision, "spec.revision");
  const takeover = spec.takeover ?? "adopt";
  if (!TAKEOVER.includes(takeover as "adopt")) throw new FieldError("spec.takeover", `want one of ${TAKEOVER.join(", ")}`);
  if (revision !== undefined && !/^[0-9a-f]{7,40}$/i.test(revision)) throw new FieldError("spec.revision", "want a commit SHA (7 to 40 hex digits)");
  const targets = list(spec.targets, "spec.targets").map((t, i) => parseTarget(t, `spec.targets[${i}]`));
  if (targets.length === 0) throw new FieldError("spec.targets", "want at least one target");
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    if (seen.has(t.name)) throw new FieldError(`spec.targets[${i}].name`, `duplicate target name "${t.name}"`);
    seen.add(t.name);
  });
  return {
    source: name(spec.source, "spec.source", "source"),
    path: spec.path === undefined ? "." : repoPath(spec.path, "spec.path"),
    prune: boolean(spec.prune, "spec.prune", true),
    selfHeal: boolean(spec.selfHeal, "spec.selfHeal", true),
    dependsOn: list(spec.dependsOn, "spec.dependsOn").map((d, i) => name(d, `spec.dependsOn[${i}]`, "app")),
    ...(revision ? { revision: revision.toLowerCase() } : {}),
    ignoreDifferences: list(spec.ignoreDifferences, "spec.ignoreDifferences").map((d, i) => parseIgnore(d, `spec.ignoreDifferences[${i}]`)),
    takeover: takeover as AppSpec["takeover"],
    allowEmpty: boolean(spec.allowEmpty, "spec.allowEmpty", false),
    targets,
    ...(spec.rollout !== undefined ? { rollout: parseRolloutSpec(spec.rollout, "spec.rollout") } : {}),
    helm: parseAppHelm(spec.helm, "spec.helm", appName),
    ...(spec.substitute !== undefined ? { substitute: parseSubstitute(spec.substitute, "spec.substitute") } : {}),
  };
}

function parseTarget(value: unknown, field: string): AppTarget {
  const t = object(value, field);
  onlyKeys(t, TARGET_FIELDS, field);
  const given = ["clusterSelector", "clusterGroup", "clusterNames"].filter((k) => t[k] !== undefined);
  if (given.length !== 1) throw new FieldError(field, "set exactly one of clusterSelector, clusterGroup, clusterNames");
  const target: AppTarget = { name: name(t.name, `${field}.name`, "target") };
  if (t.clusterSelector !== undefined) target.clusterSelector = parseSelector(t.clusterSelector, `${field}.clusterSelector`);
  if (t.clusterGroup !== undefined) target.clusterGroup = string(t.clusterGroup, `${field}.clusterGroup`);
  if (t.clusterNames !== undefined) target.clusterNames = list(t.clusterNames, `${field}.clusterNames`).map((n, i) => name(n, `${field}.clusterNames[${i}]`, "cluster"));
  if (t.overlay !== undefined) target.overlay = repoPath(t.overlay, `${field}.overlay`);
  if (t.namespace !== undefined) target.namespace = name(t.namespace, `${field}.namespace`, "namespace");
  if (t.createNamespace !== undefined) target.createNamespace = boolean(t.createNamespace, `${field}.createNamespace`, true);
  if (t.labels !== undefined) target.labels = labels(t.labels, `${field}.labels`);
  if (t.helm !== undefined) target.helm = parseTargetHelm(t.helm, `${field}.helm`);
  if (t.substitute !== undefined) target.substitute = parseSubstitute(t.substitute, `${field}.substitute`);
  return target;
}

function parseIgnore(value: unknown, field: string): IgnoreDifference {
  const d = object(value, field);
  onlyKeys(d, ["group", "kind", "fields"], field);
  const fields = list(d.fields, `${field}.fields`).map((f, i) => string(f, `${field}.fields[${i}]`));
  if (fields.length === 0) throw new FieldError(`${field}.fields`, "want at least one field path");
  return { group: d.group === undefined ? "" : String(d.group), kind: string(d.kind, `${field}.kind`), fields };
}

/** Assignment.ignoreFields entries: "apps/Deployment:spec.replicas" ("Service:..." for the core group). */
export function ignoreFields(spec: AppSpec): string[] {
  return spec.ignoreDifferences.flatMap((d) => d.fields.map((f) => `${d.group ? `${d.group}/` : ""}${d.kind}:${f}`));
}

/** What an agent needs besides the bundle to run one target of an App (definitions stored before a field existed take its default). */
export function agentOptions(spec: AppSpec, target: string) {
  const t = spec.targets.find((x) => x.name === target);
  return {
    prune: spec.prune,
    selfHeal: spec.selfHeal,
    ignoreFields: ignoreFields(spec),
    dependsOn: spec.dependsOn,
    refuseTakeover: spec.takeover === "refuse",
    createNamespace: t?.namespace && t.createNamespace !== false ? t.namespace : "",
  };
}
