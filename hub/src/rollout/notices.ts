import type { Notice } from "../notify/index.js";
import type { RolloutEvent, RolloutRecord } from "./model.js";

/** The rollout transitions Notifiers hear about (per-cluster steps only go to the audit log). */
export function rolloutNotices(app: string, r: RolloutRecord, events: readonly RolloutEvent[]): Notice[] {
  return events.flatMap((e): Notice[] => {
    if (e.kind === "cluster") return [];
    return [{ event: `rollout.${e.kind}`, app, fromRevision: r.from, toRevision: r.to, ...(e.stage ? { stage: e.stage } : {}), ...("reason" in e && e.reason ? { reason: e.reason } : {}) }];
  });
}
