import type { Rollout, RolloutStage } from "@gitfleet/shared/proto";
import { short } from "../format.js";

// Steps after which a cluster needs nothing more from its stage.
const THROUGH = new Set(["Healthy", "Skipped"]);

/** How far a stage is: its clusters through it, of all, and the words a progress bar is read as. */
export function stageProgress(s: RolloutStage): { done: number; total: number; label: string } {
  const done = s.clusters.filter((c) => THROUGH.has(c.step)).length;
  const total = s.clusters.length;
  return { done, total, label: `${s.name}: ${done} of ${total} clusters done` };
}

/** The rollout's one-line summary: from → to (a first rollout comes from nothing), then where it is and what it waits for. */
export function rolloutSummary(r: Rollout): { from: string; to: string; notes: string[] } {
  const notes = [r.stage && `stage ${r.stage}`, r.waitingFor && `waiting for ${r.waitingFor}`].filter(Boolean);
  return { from: short(r.fromRevision) || "—", to: short(r.toRevision), notes };
}
