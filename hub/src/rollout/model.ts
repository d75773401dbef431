import type { Labels } from "@gitfleet/shared";

/** Where a cluster is in its App's rollout. */
export type Step = "Pending" | "Updating" | "Healthy" | "Failed" | "Skipped" | "RolledBack";
export type RolloutState = "Progressing" | "Paused" | "WaitingApproval" | "Halted" | "RolledBack" | "Completed" | "Aborted";

/** States in which the rollout still watches health and may halt. */
export const ACTIVE_STATES: readonly RolloutState[] = ["Progressing", "Paused", "WaitingApproval"];

/** What a cluster runs (or should run) for one App: an Assignment without its keys. */
export interface Placement {
  target: string;
  revision: string;
  bundleDigest: string;
}

/** The last status the cluster's agent reported for the App (enum names as stored). */
export interface Observed {
  revision: string;
  bundleDigest: string;
  sync: string;
  health: string;
  message: string;
}

export interface ClusterRecord {
  step: Step;
  stage: number;
  startedAt?: number;
  finishedAt?: number;
  message: string;
  /** The bundle the cluster was last Healthy on before this rollout: where rollback returns it. */
  previous?: Placement;
}

export interface RolloutRecord {
  key: string;
  from: string;
  to: string;
  state: RolloutState;
  stage: number;
  approvedStage: number;
  stageDoneAt?: number;
  reason: string;
  startedAt: number;
}

/** One targeted cluster as the rollout sees it. */
export interface ClusterView {
  name: string;
  labels: Labels;
  /** Connected, or heard from within the heartbeat timeout (a hub restart does not make a fleet Skipped). */
  reachable: boolean;
  /** What targeting says the cluster should run at the rollout's revision. */
  wanted: Placement;
  assigned?: Placement;
  status?: Observed;
  record?: ClusterRecord;
  /** dependsOn Apps not Healthy on this cluster. */
  blockedBy: string[];
}

export type RolloutEvent =
  | { kind: "started" | "completed" | "waiting-approval" | "halted" | "rolled-back"; stage?: string; reason?: string }
  | { kind: "stage-passed"; stage: string }
  | { kind: "cluster"; cluster: string; was?: Step; step: Step; stage: string; message: string };

export const samePlacement = (a: Placement | undefined, b: Placement | undefined): boolean =>
  a !== undefined && b !== undefined && a.target === b.target && a.revision === b.revision && a.bundleDigest === b.bundleDigest;
