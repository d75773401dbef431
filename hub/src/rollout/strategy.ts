import { parseDuration } from "@gitfleet/shared";
import { FieldError, list, name, object, onlyKeys, string, type Obj } from "../definitions/fields.js";
import { parseSelector } from "../definitions/selector.js";
import type { ClusterSelector } from "../targeting/index.js";

/** `spec.rollout` as written (validated, canonical types); defaults are applied by resolveStrategy. */
export type RolloutSpec = {
  progressDeadline?: string;
  maxFailures?: number;
  onFailure?: "rollback" | "pause";
  maxUnavailable?: number | string;
  stages?: StageSpec[];
};
export type StageSpec = {
  name: string;
  clusterSelector?: ClusterSelector;
  clusterNames?: string[];
  count?: number;
  percent?: number;
  maxUnavailable?: number | string;
  bakeTime?: string;
  approval?: "manual";
};

/** A number of clusters, or a share (rounded up for stage sizes, down with a minimum of 1 for maxUnavailable). */
export type Amount = { count: number } | { percent: number };
export type StageSelect = { selector: ClusterSelector } | { names: string[] } | Amount | { rest: true };
export type Stage = { name: string; select: StageSelect; maxUnavailable: Amount; bakeMs: number; manual: boolean };
export type Strategy = { stages: Stage[]; progressDeadlineMs: number; maxFailures: number; onFailure: "rollback" | "pause" };

export const DEFAULT_MAX_UNAVAILABLE = "25%";
export const DEFAULT_PROGRESS_DEADLINE = "10m";
/** The stage holding every cluster no named stage selected. */
export const REMAINING_STAGE = "remaining";

const ROLLOUT_FIELDS = ["progressDeadline", "maxFailures", "onFailure", "maxUnavailable", "stages"];
const STAGE_FIELDS = ["name", "clusterSelector", "clusterNames", "count", "percent", "maxUnavailable", "bakeTime", "approval"];

export function parseRolloutSpec(value: unknown, field: string): RolloutSpec {
  const r = object(value, field);
  onlyKeys(r, ROLLOUT_FIELDS, field);
  const out: RolloutSpec = {};
  if (r.progressDeadline !== undefined) out.progressDeadline = duration(r.progressDeadline, `${field}.progressDeadline`, 1000);
  if (r.maxFailures !== undefined) out.maxFailures = wholeNumber(r.maxFailures, `${field}.maxFailures`, 0);
  if (r.onFailure !== undefined) {
    if (r.onFailure !== "rollback" && r.onFailure !== "pause") throw new FieldError(`${field}.onFailure`, "want rollback or pause");
    out.onFailure = r.onFailure;
  }
  if (r.maxUnavailable !== undefined) out.maxUnavailable = amountText(r.maxUnavailable, `${field}.maxUnavailable`);
  if (r.stages !== undefined) {
    out.stages = list(r.stages, `${field}.stages`).map((s, i) => parseStage(s, `${field}.stages[${i}]`));
    const seen = new Set<string>();
    out.stages.forEach((s, i) => {
      if (seen.has(s.name) || s.name === REMAINING_STAGE) throw new FieldError(`${field}.stages[${i}].name`, s.name === REMAINING_STAGE ? `"${REMAINING_STAGE}" names the implicit last stage; choose another name` : `duplicate stage name "${s.name}"`);
      seen.add(s.name);
    });
  }
  return out;
}

function parseStage(value: unknown, field: string): StageSpec {
  const s: Obj = object(value, field);
  onlyKeys(s, STAGE_FIELDS, field);
  const given = ["clusterSelector", "clusterNames", "count", "percent"].filter((k) => s[k] !== undefined);
  if (given.length !== 1) throw new FieldError(field, "set exactly one of clusterSelector, clusterNames, count, percent");
  const stage: StageSpec = { name: name(s.name, `${field}.name`, "stage") };
  if (s.clusterSelector !== undefined) stage.clusterSelector = parseSelector(s.clusterSelector, `${field}.clusterSelector`);
  if (s.clusterNames !== undefined) stage.clusterNames = list(s.clusterNames, `${field}.clusterNames`).map((n, i) => name(n, `${field}.clusterNames[${i}]`, "cluster"));
  if (s.count !== undefined) stage.count = wholeNumber(s.count, `${field}.count`, 1);
  if (s.percent !== undefined) stage.percent = percentNumber(s.percent, `${field}.percent`);
  if (s.maxUnavailable !== undefined) stage.maxUnavailable = amountText(s.maxUnavailable, `${field}.maxUnavailable`);
  if (s.bakeTime !== undefined) stage.bakeTime = duration(s.bakeTime, `${field}.bakeTime`, 0);
  if (s.approval !== undefined) {
    if (s.approval !== "manual") throw new FieldError(`${field}.approval`, "want manual (or leave it out)");
    stage.approval = "manual";
  }
  return stage;
}

/** The strategy a rollout follows, defaults filled in; no `spec.rollout` gives the safe default. */
export function resolveStrategy(spec: RolloutSpec | undefined): Strategy {
  const appMax = parseAmount(spec?.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE);
  const stages: Stage[] = (spec?.stages ?? []).map((s) => ({
    name: s.name,
    select: s.clusterSelector ? { selector: s.clusterSelector } : s.clusterNames ? { names: s.clusterNames } : s.count !== undefined ? { count: s.count } : { percent: s.percent! },
    maxUnavailable: s.maxUnavailable === undefined ? appMax : parseAmount(s.maxUnavailable),
    bakeMs: s.bakeTime ? parseDuration(s.bakeTime) : 0,
    manual: s.approval === "manual",
  }));
  stages.push({ name: REMAINING_STAGE, select: { rest: true }, maxUnavailable: appMax, bakeMs: 0, manual: false });
  return {
    stages,
    progressDeadlineMs: parseDuration(spec?.progressDeadline ?? DEFAULT_PROGRESS_DEADLINE),
    maxFailures: spec?.maxFailures ?? 0,
    onFailure: spec?.onFailure ?? "rollback",
  };
}

/** How many clusters of `total` may be unavailable at once: rounded down, at least 1. */
export function limitOf(a: Amount, total: number): number {
  return Math.max(1, "count" in a ? a.count : Math.floor((total * a.percent) / 100));
}

export function amountLabel(a: Amount): string {
  return "count" in a ? String(a.count) : `${a.percent}%`;
}

function parseAmount(v: number | string): Amount {
  return typeof v === "number" ? { count: v } : { percent: Number(v.slice(0, -1)) };
}

function amountText(v: unknown, field: string): number | string {
  if (typeof v === "number") return wholeNumber(v, field, 1);
  if (typeof v === "string" && /^\d+%$/.test(v)) {
    percentNumber(Number(v.slice(0, -1)), field);
    return v;
  }
  throw new FieldError(field, 'want a whole number of clusters (>= 1) or a percentage such as "25%"');
}

function wholeNumber(v: unknown, field: string, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new FieldError(field, `want a whole number >= ${min}`);
  return v;
}

function percentNumber(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 100) throw new FieldError(field, "want a whole percentage from 1 to 100");
  return v;
}

function duration(v: unknown, field: string, minMs: number): string {
  const text = string(v, field);
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new FieldError(field, `want a duration such as 90s, 10m or 1h, got "${text}"`);
  }
  if (ms < minMs) throw new FieldError(field, `want at least ${minMs / 1000}s`);
  return text;
}
