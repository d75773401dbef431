import { canonicalize, parseBundle, type KubeObject } from "@gitfleet/shared/manifest";
import { describe, expect, it } from "vitest";
import { parseSubstitute } from "../definitions/substitute.js";
import { FieldError } from "../definitions/fields.js";
import { formatProblem } from "./errors.js";
import { groupByValues, lookup, referencedVars, scanReferences, substituteObjects, substituteValues, usedValues, type SubstituteScope } from "./substitute.js";

const scope: SubstituteScope = { cluster: { name: "eu-1", labels: { region: "eu", "topology.kubernetes.io/zone": "eu-west-1a", empty: "" } }, vars: { tier: "gold" } };

function configMap(data: Record<string, unknown>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop" }, data };
}

/** Substitutes one ConfigMap's data for the cluster of `scope`; the data after, or the problems. */
function run(data: Record<string, unknown>, s: SubstituteScope = scope) {
  const obj = configMap(data);
  const problems = substituteObjects([obj], usedValues(referencedVars(obj), s));
  return problems.length ? { problems: problems.map(formatProblem) } : { data: obj.data };
}

describe("substitution in rendered objects", () => {
  it("replaces cluster name, labels (keys with dots and slashes) and App variables inside strings", () => {
    expect(run({ a: "${cluster.name}", b: "region-${cluster.labels.region}.example", c: "${cluster.labels.topology.kubernetes.io/zone}", d: "${tier}/${tier}" })).toEqual({
      data: { a: "eu-1", b: "region-eu.example", c: "eu-west-1a", d: "gold/gold" },
    });
  });

  it("takes the default when a variable is unset or empty, and the value when set", () => {
    expect(run({ a: "${cluster.labels.env:=dev}", b: "${cluster.labels.empty:=none}", c: "${tier:=bronze}", d: "${missing:=}" })).toEqual({ data: { a: "dev", b: "none", c: "gold", d: "" } });
  });

  it("keeps $${x} as the literal ${x}, and does not read it as a reference", () => {
    const obj = configMap({ script: "echo $${HOME} ${cluster.name}" });
    expect(referencedVars(obj)).toEqual(["cluster.name"]);
    expect(run({ script: "echo $${HOME} ${cluster.name}" })).toEqual({ data: { script: "echo ${HOME} eu-1" } });
  });

  it("names the variable, the object and the field of an unset variable without default", () => {
    const r = run({ nested: { list: ["ok", "${cluster.labels.zone}"] } });
    expect(r.problems).toEqual([
      "ConfigMap shop/settings: data.nested.list[1]: variable cluster.labels.zone is not set and ${cluster.labels.zone} has no default (${cluster.labels.zone:=value})",
    ]);
  });

  it("refuses shell-style operators and malformed references, pointing at the escape", () => {
    const r = run({ a: "${HOME:-/root}", b: "${not a var}" });
    expect(r.problems).toHaveLength(2);
    expect(r.problems![0]).toContain('unsupported operator ":-"');
    expect(r.problems![1]).toContain("${not a var} is not a variable reference; write $${...} for a literal");
  });

  it("touches only string values: numbers, booleans and keys stay, and the output stays valid YAML", () => {
    const obj: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { "${tier}": "a: ${tier}\n- ]" }, replicas: 3, on: true };
    expect(substituteObjects([obj], usedValues(["tier"], scope))).toEqual([]);
    expect(obj).toMatchObject({ data: { "${tier}": "a: gold\n- ]" }, replicas: 3, on: true });
    // A value that would break YAML if pasted into text is just a string in the parsed object.
    expect(parseBundle(canonicalize([obj]))[0]).toEqual(obj);
  });

  it("scans whether a pass is needed at all: references, escapes or malformed ones", () => {
    expect(scanReferences(configMap({ a: "plain $x {y}" }))).toEqual({ vars: [], pass: false });
    expect(scanReferences(configMap({ a: "$${x}" }))).toEqual({ vars: [], pass: true });
    expect(scanReferences(configMap({ a: "${b} ${a:=1} ${a}" }))).toEqual({ vars: ["a", "b"], pass: true });
  });
});

describe("substitution in Helm values", () => {
  it("replaces references but leaves escapes for the pass over the output, without touching the input", () => {
    const values = { region: "${cluster.labels.region}", nested: { literal: "$${x}" }, replicas: 2 };
    const r = substituteValues(values, usedValues(referencedVars(values), scope), "helm.values");
    expect(r).toEqual({ values: { region: "eu", nested: { literal: "$${x}" }, replicas: 2 }, problems: [] });
    expect(values.region).toBe("${cluster.labels.region}");
  });

  it("names the value's path when a variable is unset", () => {
    const r = substituteValues({ a: { b: "${cluster.labels.zone}" } }, { "cluster.labels.zone": null }, "helm.values");
    expect(r.problems.map(formatProblem)).toEqual([expect.stringMatching(/^helm\.values\.a\.b: variable cluster\.labels\.zone is not set/)]);
  });
});

describe("grouping clusters by the values they use", () => {
  const fleet = Array.from({ length: 1000 }, (_, i) => ({ name: `c${i}`, labels: { region: ["eu", "us", "ap"][i % 3]!, idx: String(i) } }));

  it("gives 1,000 clusters in 3 regions 3 groups when only the region is used", () => {
    const groups = [...groupByValues(fleet, ["cluster.labels.region", "tier"], { tier: "gold" }).values()];
    expect(groups.map((g) => g.values)).toEqual([
      { "cluster.labels.region": "eu", tier: "gold" },
      { "cluster.labels.region": "us", tier: "gold" },
      { "cluster.labels.region": "ap", tier: "gold" },
    ]);
    expect(groups.map((g) => g.clusters.length)).toEqual([334, 333, 333]);
  });

  it("gives one group when no variable is used, and one per cluster when its name is", () => {
    expect(groupByValues(fleet, [], {}).size).toBe(1);
    expect(groupByValues(fleet.slice(0, 10), ["cluster.name"], {}).size).toBe(10);
  });

  it("puts clusters lacking a label in a group of their own, with the value null", () => {
    const groups = [...groupByValues([{ name: "a", labels: { region: "eu" } }, { name: "b", labels: {} }, { name: "c", labels: {} }], ["cluster.labels.region"], {}).values()];
    expect(groups).toEqual([
      { values: { "cluster.labels.region": "eu" }, clusters: [{ name: "a", labels: { region: "eu" } }] },
      { values: { "cluster.labels.region": null }, clusters: [{ name: "b", labels: {} }, { name: "c", labels: {} }] },
    ]);
  });

  it("looks variables up by kind", () => {
    expect([lookup("cluster.name", scope), lookup("cluster.labels.region", scope), lookup("tier", scope), lookup("cluster.labels.nope", scope), lookup("toString", scope)]).toEqual(["eu-1", "eu", "gold", undefined, undefined]);
  });
});

describe("parseSubstitute", () => {
  it("takes strings, numbers and booleans as text", () => {
    expect(parseSubstitute({ tier: "gold", replicas: 3, debug: false }, "spec.substitute")).toEqual({ tier: "gold", replicas: "3", debug: "false" });
  });

  it("refuses dotted names, nested values and values holding ${", () => {
    expect(() => parseSubstitute({ "cluster.name": "x" }, "spec.substitute")).toThrow(FieldError);
    expect(() => parseSubstitute({ a: { b: 1 } }, "spec.substitute")).toThrow(/want a string, number or boolean/);
    expect(() => parseSubstitute({ a: "${b}" }, "spec.substitute")).toThrow(/may not contain/);
  });
});
