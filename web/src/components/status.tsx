import { ClusterState, HealthState, SyncState } from "@gitfleet/shared/proto";

// Each state has its own shape as well as its own color, so no one needs to tell colors apart.
type Look = { label: string; glyph: string; tone: "ok" | "warn" | "bad" | "busy" | "none" };

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

export function Badge({ look, compact = false }: { look: Look; compact?: boolean }) {
  return (
    <span class={`badge ${look.tone}`} title={look.label}>
      <span aria-hidden="true">{look.glyph}</span>
      {compact ? <span class="sr-only">{look.label}</span> : ` ${look.label}`}
    </span>
  );
}

export const SyncBadge = ({ sync, compact }: { sync: SyncState; compact?: boolean }) => <Badge look={SYNC[sync] ?? SYNC[SyncState.UNSPECIFIED]} compact={compact} />;
export const HealthBadge = ({ health, compact }: { health: HealthState; compact?: boolean }) => (
  <Badge look={HEALTH[health] ?? HEALTH[HealthState.UNSPECIFIED]} compact={compact} />
);
export const ClusterStateBadge = ({ state }: { state: ClusterState }) => <Badge look={CLUSTER[state] ?? CLUSTER[ClusterState.UNSPECIFIED]} />;

/** The cluster has not yet applied what it is assigned: the hub compares revision and bundle (the bundle moves alone with substitute values or a re-render). */
export const Behind = ({ behind }: { behind: boolean }) =>
  behind ? (
    <span class="badge busy" title="not yet applied: the cluster reports another revision or bundle">
      <span aria-hidden="true"> → </span>pending
    </span>
  ) : null;
