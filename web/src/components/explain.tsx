import { admin } from "../api.js";
import { useRpc } from "../use-rpc.js";
import { explainLines } from "./explain-view.js";

/** Why an App is, or is not, on a cluster: each target's selector against its labels, then whatever holds delivery back. */
export function Explain({ app, cluster, tick }: { app: string; cluster: string; tick: number }) {
  const { data, error } = useRpc((signal) => admin.explainApp({ app, cluster }, { signal }), [app, cluster, tick]);
  if (error) return <span class="error">{error}</span>;
  if (!data) return <span class="muted">…</span>;
  return (
    <ul class="explain" data-explain={app}>
      {explainLines(data).map((l) => (
        <li key={l.text} class={l.blocker ? "error" : undefined}>
          {l.text}
          {l.reason && <span class="muted"> ({l.reason})</span>}
        </li>
      ))}
    </ul>
  );
}
