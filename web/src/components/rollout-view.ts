import type { RolloutStage } from "@gitfleet/shared/proto";

// Steps after which a cluster needs nothing more from its stage.
const THROUGH = new Set(["Healthy", "Skipped"]);

/** How far a stage is: its clusters through it, of all, and the words a progress bar is read as. */
export function stageProgress(s: RolloutStage): { done: number; total: number; label: string } {
  const done = s.clusters.filter((c) => THROUGH.has(c.step)).length;
  const total = s.clusters.length;
  return { done, total, label: `${s.name}: ${done} of ${total} clusters done` };
}
