import { admin } from "../api.js";
import { useRpc } from "../use-rpc.js";
import { rolloutSummary, stageProgress } from "./rollout-view.js";

/** The App's current rollout: stages in order, each cluster's step, and what it waits for. */
export function RolloutPanel({ app, tick }: { app: string; tick: number }) {
  const { data, error } = useRpc((signal) => admin.getRollout({ app }, { signal }), [app, tick]);
  const r = data?.rollout;
  if (error) return <p class="muted">{error}</p>;
  if (!r) return null;
  const { from, to, notes } = rolloutSummary(r);
  return (
    <div class="rollout" aria-label="Rollout">
      <p>
        <strong data-rollout-state={r.state}>{r.state}</strong> {from} → <span class="mono">{to}</span>
        {notes.map((n) => ` · ${n}`).join("")}
        {r.reason && <span class="error"> · {r.reason}</span>}
      </p>
      <ol class="stages">
        {r.stages.map((s) => {
          const { done, total, label } = stageProgress(s);
          return (
            <li key={s.name} class={`stage ${s.state.toLowerCase()}`}>
              <strong>{s.name}</strong> <span class="muted">({s.state})</span>
              <progress max={Math.max(1, total)} value={done} aria-label={label} />
              <span>
                {done}/{total}
              </span>
              <ul class="plain">
                {s.clusters.map((c) => (
                  <li key={c.cluster}>
                    {c.cluster}: {c.step}
                    {c.message && <span class="muted"> — {c.message}</span>}
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
