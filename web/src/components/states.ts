import { ClusterState, HealthState, SyncState } from "@gitfleet/shared/proto";

// Each state has its own shape as well as its own color, so no one needs to tell colors apart.
export type Look = { label: string; glyph: string; tone: "ok" | "warn" | "bad" | "busy" | "none" };

export const SYNC: Record<SyncState, Look> = {
  [SyncState.SYNCED]: { label: "Synced", glyph: "✔", tone: "ok" },
  [SyncState.OUT_OF_SYNC]: { label: "OutOfSync", glyph: "▲", tone: "warn" },
  [SyncState.FAILED]: { label: "Failed", glyph: "✖", tone: "bad" },
  [SyncState.UNSPECIFIED]: { label: "Unknown", glyph: "?", tone: "none" },
};

export const HEALTH: Record<HealthState, Look> = {
  [HealthState.HEALTHY]: { label: "Healthy", glyph: "●", tone: "ok" },
  [HealthState.PROGRESSING]: { label: "Progressing", glyph: "◐", tone: "busy" },
  [HealthState.DEGRADED]: { label: "Degraded", glyph: "■", tone: "bad" },
  [HealthState.MISSING]: { label: "Missing", glyph: "○", tone: "warn" },
  [HealthState.UNSPECIFIED]: { label: "Unknown", glyph: "?", tone: "none" },
};

const CLUSTER: Record<ClusterState, Look> = {
  [ClusterState.CONNECTED]: { label: "Connected", glyph: "●", tone: "ok" },
  [ClusterState.DISCONNECTED]: { label: "Disconnected", glyph: "○", tone: "bad" },
  [ClusterState.PENDING]: { label: "Pending", glyph: "◌", tone: "warn" },
  [ClusterState.UNSPECIFIED]: { label: "Unknown", glyph: "?", tone: "none" },
};

// A state this page does not know (a newer hub's) reads as Unknown rather than breaking the page.
export const syncLook = (s: SyncState): Look => SYNC[s] ?? SYNC[SyncState.UNSPECIFIED];
export const healthLook = (h: HealthState): Look => HEALTH[h] ?? HEALTH[HealthState.UNSPECIFIED];
export const clusterLook = (c: ClusterState): Look => CLUSTER[c] ?? CLUSTER[ClusterState.UNSPECIFIED];
