import { ClusterState } from "@gitfleet/shared/proto";
import { admin } from "../api.js";
import { useRpc } from "../use-rpc.js";
import { useFleet } from "../use-fleet.js";
import { cellsOf } from "../fleet-state.js";
import { useTick } from "../use-interval.js";
import { href } from "../router.js";
import { ago, short, when } from "../format.js";
import { Labels } from "../components/labels.js";
import { Behind, ClusterStateBadge, HealthBadge, SyncBadge } from "../components/status.js";
import { Explain } from "../components/explain.js";
import { Head } from "../components/head.js";

/** One cluster: labels, state, versions, and every App's status on it (live, from the fleet stream). */
export function ClusterPage({ name }: { name: string }) {
  const tick = useTick(5000);
  const { data, error } = useRpc((signal) => admin.getCluster({ name }, { signal }), [name, tick]);
  const { fleet } = useFleet();
  const cells = cellsOf(fleet, name);
  const c = data?.cluster;
  return (
    <section aria-labelledby="cluster-title">
      <h1 id="cluster-title">Cluster {name}</h1>
      {error && <p role="alert" class="error">{error}</p>}
      {c && (
        <dl class="facts">
          <dt>State</dt>
          <dd>
            <ClusterStateBadge state={c.state ?? ClusterState.UNSPECIFIED} />
          </dd>
          <dt>Last heartbeat</dt>
          <dd>{ago(c.lastHeartbeat)}</dd>
          <dt>Registered</dt>
          <dd>{when(c.registeredAt)}</dd>
          <dt>Agent</dt>
          <dd>{c.agentVersion || "—"}</dd>
          <dt>Kubernetes</dt>
          <dd>{c.kubernetesVersion || "—"}</dd>
          <dt>Namespaces</dt>
          <dd>{c.namespaces.length ? c.namespaces.join(", ") : "all"}</dd>
          <dt>Labels</dt>
          <dd>
            <Labels labels={c.labels} />
          </dd>
        </dl>
      )}
      <h2>Apps</h2>
      {cells.length === 0 ? (
        <p>No App targets this cluster.</p>
      ) : (
        <table>
          <Head cols={["App", "Sync", "Health", "Desired", "Applied", "Message"]} />
          <tbody>
            {cells.map((cell) => (
              <tr key={cell.app}>
                <th scope="row">
                  <a href={href("apps", cell.app, name)}>{cell.app}</a>
                </th>
                <td>
                  <SyncBadge sync={cell.sync} />
                </td>
                <td>
                  <HealthBadge health={cell.health} />
                </td>
                <td class="mono">{short(cell.desiredRevision) || "(leaving)"}</td>
                <td class="mono">
                  {short(cell.appliedRevision) || "—"}
                  <Behind behind={cell.behind} />
                </td>
                <td>{cell.message || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Why each App is or is not here</h2>
      <table>
        <Head cols={["App", "Explanation"]} />
        <tbody>
          {[...fleet.apps.keys()].sort().map((app) => (
            <tr key={app}>
              <th scope="row">
                <a href={href("apps", app)}>{app}</a>
              </th>
              <td>
                <Explain app={app} cluster={name} tick={tick} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
