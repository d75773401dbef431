import { ACTIVE_STATES, type ClusterRecord, type RolloutRecord } from "./model.js";

export const ROLLOUT_ACTIONS = ["pause", "resume", "promote", "abort", "retry"] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

export type CommandResult = { rollout: RolloutRecord; records?: Map<string, ClusterRecord> } | { refused: string };

/** What an admin action does to a rollout; `refused` says why it does not apply now. */
export function command(r: RolloutRecord, records: ReadonlyMap<string, ClusterRecord>, action: RolloutAction): CommandResult {
  const refuse = (want: string) => ({ refused: `cannot ${action}: the rollout of ${r.to.slice(0, 12)} is ${r.state} (${action} applies when it is ${want})` });
  switch (action) {
    case "pause":
      return r.state === "Progressing" || r.state === "WaitingApproval" ? { rollout: { ...r, state: "Paused" } } : refuse("Progressing or WaitingApproval");
    case "resume":
      // Back to Progressing; a stage that needs approval goes back to waiting for it.
      return r.state === "Paused" ? { rollout: { ...r, state: "Progressing" } } : refuse("Paused");
    case "promote":
      return r.state === "WaitingApproval" ? { rollout: { ...r, state: "Progressing", approvedStage: r.stage } } : refuse("WaitingApproval");
    case "abort":
      return ACTIVE_STATES.includes(r.state) ? { rollout: { ...r, state: "Aborted" } } : refuse("Progressing, Paused or WaitingApproval");
    case "retry": {
      if (!["Halted", "RolledBack", "Aborted"].includes(r.state)) return refuse("Halted, RolledBack or Aborted");
      // From the first stage again: every cluster waits for its turn, keeping where rollback returns it.
      const reset = new Map([...records].map(([name, rec]) => [name, { step: "Pending", stage: rec.stage, message: "", ...(rec.previous ? { previous: rec.previous } : {}) } satisfies ClusterRecord]));
      const rollout: RolloutRecord = { ...r, state: "Progressing", stage: 0, approvedStage: -1, reason: "" };
      delete rollout.stageDoneAt;
      return { rollout, records: reset };
    }
  }
}
