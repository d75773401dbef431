import { OPERATORS, type ClusterSelector, type Requirement } from "../targeting/index.js";
import { FieldError, labels, list, object, onlyKeys, string, type Obj } from "./fields.js";

export function parseSelector(value: unknown, field: string): ClusterSelector {
  const s = object(value, field);
  onlyKeys(s, ["matchLabels", "matchExpressions"], field);
  const out: ClusterSelector = {};
  if (s.matchLabels !== undefined) out.matchLabels = labels(s.matchLabels, `${field}.matchLabels`);
  if (s.matchExpressions !== undefined) out.matchExpressions = list(s.matchExpressions, `${field}.matchExpressions`).map((e, i) => parseRequirement(e, `${field}.matchExpressions[${i}]`));
  return out;
}

function parseRequirement(value: unknown, field: string): Requirement {
  const e: Obj = object(value, field);
  onlyKeys(e, ["key", "operator", "values"], field);
  const operator = e.operator as Requirement["operator"];
  if (!OPERATORS.includes(operator)) throw new FieldError(`${field}.operator`, `want one of ${OPERATORS.join(", ")}`);
  const values = list(e.values, `${field}.values`).map((v, i) => string(v, `${field}.values[${i}]`));
  const needsValues = operator === "In" || operator === "NotIn";
  if (needsValues !== values.length > 0) throw new FieldError(`${field}.values`, needsValues ? `${operator} needs values` : `${operator} takes no values`);
  return { key: string(e.key, `${field}.key`), operator, ...(needsValues ? { values } : {}) };
}
