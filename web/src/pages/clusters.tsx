import { ClusterState } from "@gitfleet/shared/proto";
import { admin } from "../api.js";
import { useRpc } from "../use-rpc.js";
import { href } from "../router.js";
import { Labels } from "../components/labels.js";
import { ClusterStateBadge } from "../components/status.js";
import { Head } from "../components/head.js";

export function Clusters() {
  const { data, error, loading } = useRpc((signal) => admin.listClusters({}, { signal }), []);
  return (
    <section aria-labelledby="clusters-title">
      <h1 id="clusters-title">Clusters</h1>
      {error && <p role="alert" class="error">{error}</p>}
      {loading && !data && <p>Loading…</p>}
      {data && (
        <table>
          <caption class="sr-only">Registered clusters</caption>
          <Head cols={["Name", "State", "Labels", "Agent", "Kubernetes"]} />
          <tbody>
            {data.clusters.map((c) => (
              <tr key={c.name}>
                <th scope="row">
                  <a href={href("clusters", c.name)}>{c.name}</a>
                </th>
                <td>
                  <ClusterStateBadge state={c.state ?? ClusterState.UNSPECIFIED} />
                </td>
                <td>
                  <Labels labels={c.labels} />
                </td>
                <td>{c.agentVersion}</td>
                <td>{c.kubernetesVersion}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
