import { admin } from "../api.js";
import { useRpc } from "../use-rpc.js";
import { useTick } from "../use-interval.js";
import { href } from "../router.js";
import { ago, objectName, short, when } from "../format.js";
import { Behind, HealthBadge, SyncBadge } from "../components/status.js";
import { RolloutPanel } from "../components/rollout.js";
import { Head } from "../components/head.js";
import { bundleText, targetClusters } from "./app-view.js";

const REFRESH_MS = 3000;

/** One App: targets and their clusters, revision history, per-cluster status, the last render error. */
export function AppPage({ name, cluster }: { name: string; cluster?: string }) {
  const tick = useTick(REFRESH_MS);
  const app = useRpc((signal) => admin.getApp({ name }, { signal }), [name, tick]);
  const sourceName = app.data?.app?.source;
  const source = useRpc((signal) => (sourceName ? admin.getSource({ name: sourceName }, { signal }) : Promise.resolve(undefined)), [sourceName, tick]);
  const a = app.data?.app;
  const selected = cluster ? app.data?.clusters.find((c) => c.cluster === cluster) : undefined;
  return (
    <section aria-labelledby="app-title">
      <h1 id="app-title">App {name}</h1>
      {app.error && <p role="alert" class="error">{app.error}</p>}
      {a && (
        <>
          <dl class="facts">
            <dt>Source</dt>
            <dd>
              {a.source} <span class="mono">{a.path}</span>
            </dd>
            <dt>Desired revision</dt>
            <dd class="mono">
              {short(a.revision) || "—"}
              {a.pinnedRevision && <span class="badge warn"> pinned</span>}
            </dd>
            <dt>Clusters</dt>
            <dd>
              {a.clustersSynced} of {a.clustersMatched} synced, {a.clustersHealthy} healthy
            </dd>
          </dl>
          {a.error && (
            <div class="callout" role="alert">
              <h2>Last render error{a.errorRevision && <span class="mono"> at {short(a.errorRevision)}</span>}</h2>
              <pre>{a.error}</pre>
            </div>
          )}
          <h2>Rollout</h2>
          <RolloutPanel app={name} tick={tick} />
          <h2>Targets</h2>
          <table>
            <Head cols={["Target", "Cluster selector", "Overlay", "Namespace", "Clusters", "Bundle"]} />
            <tbody>
              {a.targets.map((t) => (
                <tr key={t.name}>
                  <th scope="row">{t.name}</th>
                  <td class="mono">{t.selector}</td>
                  <td class="mono">{t.overlay || "—"}</td>
                  <td>{t.namespace || "—"}</td>
                  <td>
                    {t.clusters}{" "}
                    <span class="muted">
                      ({targetClusters(t.name, app.data!.clusters)})
                    </span>
                  </td>
                  <td class="mono">{t.error ? <span class="error">{t.error}</span> : bundleText(t)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Clusters</h2>
          <table>
            <Head cols={["Cluster", "Target", "Sync", "Health", "Desired", "Applied", "Message", "Reported"]} />
            <tbody>
              {app.data!.clusters.map((c) => (
                <tr key={c.cluster} class={c.cluster === cluster ? "selected" : undefined} aria-current={c.cluster === cluster ? "true" : undefined}>
                  <th scope="row">
                    <a href={href("apps", name, c.cluster)}>{c.cluster}</a>
                  </th>
                  <td>{c.target || "—"}</td>
                  <td>
                    <SyncBadge sync={c.sync} />
                  </td>
                  <td>
                    <HealthBadge health={c.health} />
                  </td>
                  <td class="mono">{short(c.desiredRevision) || "—"}</td>
                  <td class="mono">
                    {short(c.appliedRevision) || "—"}
                    <Behind behind={c.behind} />
                  </td>
                  <td>{c.message || "—"}</td>
                  <td>{ago(c.observedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {selected && (
            <>
              <h2 id="objects-title">
                Objects on <a href={href("clusters", selected.cluster)}>{selected.cluster}</a>
              </h2>
              <table aria-labelledby="objects-title">
                <Head cols={["Object", "Last action", "Health", "Message"]} />
                <tbody>
                  {selected.objects.map((o) => (
                    <tr key={objectName(o.ref)}>
                      <th scope="row">{objectName(o.ref)}</th>
                      <td>{o.action}</td>
                      <td>{o.health}</td>
                      <td>{o.message || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>
                <a href={href("drift", selected.cluster, name)}>Drift of {name} on {selected.cluster}</a>
              </p>
            </>
          )}
          <h2>Revision history</h2>
          {source.data?.source ? (
            <table>
              <Head cols={["Revision", "Author", "Message", "Committed"]} />
              <tbody>
                {source.data.source.history.map((r) => (
                  <tr key={r.sha} class={r.sha === a.revision ? "selected" : undefined}>
                    <th scope="row" class="mono">
                      {short(r.sha)}
                      {r.sha === a.revision && <span class="sr-only"> (desired)</span>}
                    </th>
                    <td>{r.author}</td>
                    <td>{r.message.split("\n")[0]}</td>
                    <td>{when(r.committedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">{source.error ?? "Loading…"}</p>
          )}
        </>
      )}
    </section>
  );
}
