import type { ClusterState, HealthState, SyncState } from "@gitfleet/shared/proto";
import { clusterLook, healthLook, syncLook, type Look } from "./states.js";

export function Badge({ look, compact = false }: { look: Look; compact?: boolean }) {
  return (
    <span class={`badge ${look.tone}`} title={look.label}>
      <span aria-hidden="true">{look.glyph}</span>
      {compact ? <span class="sr-only">{look.label}</span> : ` ${look.label}`}
    </span>
  );
}

export const SyncBadge = ({ sync, compact }: { sync: SyncState; compact?: boolean }) => <Badge look={syncLook(sync)} compact={compact} />;
export const HealthBadge = ({ health, compact }: { health: HealthState; compact?: boolean }) => <Badge look={healthLook(health)} compact={compact} />;
export const ClusterStateBadge = ({ state }: { state: ClusterState }) => <Badge look={clusterLook(state)} />;

/** The cluster has not yet applied what it is assigned: the hub compares revision and bundle (the bundle moves alone with substitute values or a re-render). */
export const Behind = ({ behind }: { behind: boolean }) =>
  behind ? (
    <span class="badge busy" title="not yet applied: the cluster reports another revision or bundle">
      <span aria-hidden="true"> → </span>pending
    </span>
  ) : null;
