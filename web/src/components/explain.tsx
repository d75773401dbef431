import { admin } from "../api.js";
import { useRpc } from "../use-rpc.js";

/** Why an App is, or is not, on a cluster: each target's selector against its labels, then whatever holds delivery back. */
export function Explain({ app, cluster, tick }: { app: string; cluster: string; tick: number }) {
  const { data, error } = useRpc((signal) => admin.explainApp({ app, cluster }, { signal }), [app, cluster, tick]);
  if (error) return <span class="error">{error}</span>;
  if (!data) return <span class="muted">…</span>;
  const matched = data.targets.find((t) => t.matched);
  return (
    <ul class="explain" data-explain={app}>
      {data.targets.map((t) => (
        <li key={t.target}>
          target {t.target}: {t.matched ? "selects this cluster" : "does not select it"}
          {t.reason && <span class="muted"> ({t.reason})</span>}
        </li>
      ))}
      {!matched && <li>not here: no target selects this cluster</li>}
      {data.blockers.map((b) => (
        <li key={b} class="error">
          {b}
        </li>
      ))}
      {matched && data.blockers.length === 0 && <li>runs the desired revision</li>}
    </ul>
  );
}
