// Label selectors (=, ==, !=, in, notin, exists, !exists, gt, lt) and field selectors.
import { badRequest } from "./errors.js";
import type { ResourceType } from "./kinds.js";
import { getPath, type KObj } from "./util.js";

export type Matcher = (obj: KObj) => boolean;
type Req = { key: string; op: string; values: string[] };

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) { out.push(cur); cur = ""; } else cur += ch;
  }
  if (cur.trim() !== "" || out.length) out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== "");
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VAL = String.raw`(?:[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;

function parseReq(r: string): Req {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(r))) {
    return { key: m[1]!, op: m[3]!, values: m[4]!.split(",").map((x) => x.trim()).filter((x) => x !== "") };
  }
  if ((m = new RegExp(`^!\\s*(${KEY})$`).exec(r))) return { key: m[1]!, op: "!", values: [] };
  if ((m = new RegExp(`^(${KEY})\\s*(==|=|!=|>|<)\\s*(${VAL})$`).exec(r))) return { key: m[1]!, op: m[3]!, values: [m[4]!] };
  if ((m = new RegExp(`^(${KEY})$`).exec(r))) return { key: m[1]!, op: "exists", values: [] };
  throw badRequest(`unable to parse requirement: found '${r}', expected: in, notin, =, ==, !=, gt, lt`);
}

function test(req: Req, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const v = labels[req.key];
  switch (req.op) {
    case "=": case "==": return has && v === req.values[0];
    case "!=": return !has || v !== req.values[0];
    case "in": return has && req.values.includes(v!);
    case "notin": return !has || !req.values.includes(v!);
    case "exists": return has;
    case "!": return !has;
    case ">": return has && Number(v) > Number(req.values[0]);
    case "<": return has && Number(v) < Number(req.values[0]);
    default: return false;
  }
}

export function parseLabelSelector(s: string | null | undefined): Matcher | undefined {
  if (!s) return undefined;
  const reqs = splitTop(s).map(parseReq);
  return (obj) => {
    const labels = (obj.metadata?.labels ?? {}) as Record<string, string>;
    return reqs.every((r) => test(r, labels));
  };
}

/** matchLabels/matchExpressions as a Matcher over a label map. */
export function labelSelectorMatches(sel: KObj | undefined, labels: Record<string, string>): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of (sel.matchExpressions ?? []) as KObj[]) {
    const op = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" }[e.operator as string] ?? "";
    if (!test({ key: e.key, op, values: e.values ?? [] }, labels)) return false;
  }
  return true;
}

/** a ReplicationController's selector is a plain label map; every other workload has a LabelSelector */
export function labelSelectorOf(kind: string, sel: KObj): KObj {
  return kind === "ReplicationController" ? { matchLabels: sel } : sel;
}

export function selectorString(sel: KObj | undefined): string {
  if (!sel) return "";
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of (sel.matchExpressions ?? []) as KObj[]) {
    if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === "In" ? "in" : "notin"} (${(e.values ?? []).join(",")})`);
  }
  return parts.join(",");
}

const EXTRA_FIELDS: Record<string, string[]> = {
  Pod: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP"],
  Secret: ["type"],
  Event: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "source", "type"],
  Namespace: ["status.phase"],
  Job: ["status.successful"],
  Node: ["spec.unschedulable"],
};

export function parseFieldSelector(rt: ResourceType, s: string | null | undefined): Matcher | undefined {
  if (!s) return undefined;
  const reqs = splitTop(s).map((r) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(r);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${r}'`);
    const field = m[1]!;
    if (field !== "metadata.name" && field !== "metadata.namespace" && !EXTRA_FIELDS[rt.kind]?.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, neg: m[2] === "!=", value: m[3]! };
  });
  return (obj) => reqs.every((r) => {
    const v = getPath(obj, `.${r.field}`);
    const sv = v === undefined || v === null ? "" : String(v);
    return r.neg ? sv !== r.value : sv === r.value;
  });
}
