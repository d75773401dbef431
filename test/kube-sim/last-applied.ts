// kube-apiserver's bridge from client-side to server-side apply, for the field manager "kubectl" only
// (lastAppliedManager and lastAppliedUpdater): an apply may take over, without --force-conflicts, the
// fields that the last-applied-configuration annotation records with their live value, and every apply
// rewrites that annotation when the object has one, so `kubectl apply view-last-applied` stays true.
import { compare, fieldSetOf } from "./fieldset.js";
import type { ResourceType } from "./kinds.js";
import { clone, isObj, type KObj } from "./util.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
export const UPGRADING_MANAGER = "kubectl";

function lastApplied(live: KObj): KObj | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (typeof text !== "string" || !text) return undefined;
  try {
    const o = JSON.parse(text);
    return isObj(o) ? o : undefined;
  } catch {
    return undefined;
  }
}

/** field keys an apply by "kubectl" may take over: recorded in last-applied and unchanged since */
export function allowedConflicts(rt: ResourceType, live: KObj): Set<string> {
  const last = lastApplied(live);
  if (!last) return new Set();
  const recorded = fieldSetOf(rt, last);
  const cmp = compare(recorded, fieldSetOf(rt, live));
  const out = new Set<string>();
  for (const k of recorded.keys()) if (!cmp.modified.has(k) && !cmp.removed.has(k)) out.add(k);
  return out;
}

/** the annotation rewritten from the applied configuration, as json.Encoder writes it (sorted keys, newline) */
export function updateLastApplied(live: KObj, config: KObj, result: KObj): void {
  if (!live.metadata?.annotations?.[LAST_APPLIED]) return;
  const cfg = clone(config);
  if (isObj(cfg.metadata?.annotations)) delete cfg.metadata.annotations[LAST_APPLIED];
  result.metadata.annotations = { ...(result.metadata.annotations ?? {}), [LAST_APPLIED]: `${sortedJson(cfg)}\n` };
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(",")}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(v[k])}`).join(",")}}`;
  return JSON.stringify(v);
}
