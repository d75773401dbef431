import { short } from "../format.js";
import { useMemo, useState } from "preact/hooks";
import { ClusterState, type FleetCell } from "@gitfleet/shared/proto";
import { useFleet } from "../use-fleet.js";
import { cellKey } from "../fleet-state.js";
import { href } from "../router.js";
import { VirtualRows } from "../components/virtual-rows.js";
import { ClusterStateBadge, SyncBadge, HealthBadge } from "../components/status.js";
import { HEALTH, SYNC, healthLook, syncLook } from "../components/states.js";
import { cellText, fleetRows, labelKeys, linkText } from "./fleet-view.js";

const ROW_HEIGHT = 36;

export function FleetPage() {
  const { fleet, link, error } = useFleet();
  const [search, setSearch] = useState("");
  const [labels, setLabels] = useState("");
  const [groupBy, setGroupBy] = useState("");
  const apps = useMemo(() => [...fleet.apps.values()].sort((a, b) => a.name.localeCompare(b.name)), [fleet.apps]);
  const groupKeys = useMemo(() => labelKeys(fleet.clusters.values()), [fleet.clusters]);
  const rows = useMemo(() => fleetRows(fleet.clusters.values(), { search, labels, groupBy }), [fleet.clusters, search, labels, groupBy]);
  const clusterCount = rows.filter((r) => r.kind === "cluster").length;
  const columns = `minmax(180px, 260px) 140px repeat(${Math.max(apps.length, 1)}, minmax(150px, 220px))`;

  return (
    <section aria-labelledby="fleet-title">
      <div class="toolbar">
        <h1 id="fleet-title">Fleet</h1>
        <p class={`link-state ${link}`} role="status" aria-live="polite">
          {linkText(link, error)}
        </p>
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search clusters <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="name" />
        </label>
        <label>
          Label filter <input value={labels} onInput={(e) => setLabels(e.currentTarget.value)} placeholder="env=prod,region!=us" />
        </label>
        <label>
          Group by
          <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
            <option value="">(no grouping)</option>
            {groupKeys.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
        </label>
        <span class="muted">
          {clusterCount} of {fleet.clusters.size} clusters × {apps.length} Apps
        </span>
      </form>
      <Legend />
      <div class="matrix" role="table" aria-label="Apps on each cluster" aria-rowcount={rows.length + 1} aria-colcount={apps.length + 2}>
        <div role="rowgroup">
          <div class="mrow head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: columns }}>
            <span role="columnheader">Cluster</span>
            <span role="columnheader">State</span>
            {apps.map((a) => (
              <span role="columnheader" key={a.name}>
                <a href={href("apps", a.name)}>{a.name}</a> <span class="mono muted">{short(a.revision)}</span>
              </span>
            ))}
          </div>
        </div>
        <VirtualRows
          items={rows}
          rowHeight={ROW_HEIGHT}
          height={520}
          row={(r, i) =>
            r.kind === "group" ? (
              <div class="mrow group" role="row" aria-rowindex={i + 2} key={"g:" + r.label}>
                <span role="cell">
                  {r.label} <span class="muted">({r.count})</span>
                </span>
              </div>
            ) : (
              <div class="mrow" role="row" aria-rowindex={i + 2} key={r.cluster.name} style={{ gridTemplateColumns: columns }}>
                <span role="rowheader">
                  <a href={href("clusters", r.cluster.name)}>{r.cluster.name}</a>
                </span>
                <span role="cell">
                  <ClusterStateBadge state={r.cluster.state ?? ClusterState.UNSPECIFIED} />
                </span>
                {apps.map((a) => (
                  <Cell key={a.name} cluster={r.cluster.name} app={a.name} cell={fleet.cells.get(cellKey(r.cluster.name, a.name))} />
                ))}
              </div>
            )
          }
        />
      </div>
    </section>
  );
}

function Cell({ cluster, app, cell }: { cluster: string; app: string; cell?: FleetCell }) {
  if (!cell) {
    return (
      <span role="cell" class="cell empty" data-cell={cellKey(cluster, app)}>
        <span aria-hidden="true">·</span>
        <span class="sr-only">not targeted</span>
      </span>
    );
  }
  const { revision, movingTo, label } = cellText(cell);
  return (
    <span role="cell" class="cell" data-cell={cellKey(cluster, app)} data-revision={cell.appliedRevision} data-behind={cell.behind} data-sync={syncLook(cell.sync).label} data-health={healthLook(cell.health).label} data-rollout-step={cell.rolloutStep}>
      <a href={href("apps", app, cluster)} aria-label={label} title={cell.message || label}>
        <SyncBadge sync={cell.sync} compact />
        <HealthBadge health={cell.health} compact />
        <span class="mono">{revision}</span>
        {movingTo !== undefined && <span class="mono muted"> → {movingTo}</span>}
        {cell.rolloutStep && <span class="step">{cell.rolloutStep}</span>}
      </a>
    </span>
  );
}

function Legend() {
  return (
    <details class="legend">
      <summary>Legend</summary>
      <ul>
        {[...Object.values(SYNC), ...Object.values(HEALTH)].map((l) => (
          <li class={`badge ${l.tone}`}>
            <span aria-hidden="true">{l.glyph}</span> {l.label}
          </li>
        ))}
      </ul>
    </details>
  );
}
