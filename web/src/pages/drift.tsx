import { useState } from "preact/hooks";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { DriftGrouping } from "@gitfleet/shared/proto";
import { admin } from "../api.js";
import { useRpc } from "../use-rpc.js";
import { useTick } from "../use-interval.js";
import { href } from "../router.js";
import { ago, objectName, plural, when } from "../format.js";
import { EpisodesChart } from "../components/episodes-chart.js";
import { Head } from "../components/head.js";

const REFRESH_MS = 3000;
const WINDOWS = [
  { label: "24 hours", seconds: 24 * 3600 },
  { label: "7 days", seconds: 7 * 24 * 3600 },
  { label: "30 days", seconds: 30 * 24 * 3600 },
];

/** The fleet's drift: how many clusters drift now, episodes over time, and what drifts most widely. */
export function DriftOverview() {
  const [by, setBy] = useState(DriftGrouping.FIELD);
  const [windowSeconds, setWindow] = useState(WINDOWS[1]!.seconds);
  const [selector, setSelector] = useState("");
  const tick = useTick(REFRESH_MS);
  const { data, error } = useRpc((signal) => admin.getDriftGroups({ by, windowSeconds: BigInt(windowSeconds), clusterSelector: selector }, { signal }), [by, windowSeconds, selector, tick]);
  const timeline = data?.timeline ?? [];
  const windowLabel = WINDOWS.find((w) => w.seconds === windowSeconds)!.label;
  return (
    <section aria-labelledby="drift-title">
      <h1 id="drift-title">Drift</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <fieldset class="inline">
          <legend>Group by</legend>
          <label>
            <input type="radio" name="by" checked={by === DriftGrouping.FIELD} onChange={() => setBy(DriftGrouping.FIELD)} /> Field
          </label>
          <label>
            <input type="radio" name="by" checked={by === DriftGrouping.OBJECT} onChange={() => setBy(DriftGrouping.OBJECT)} /> Object
          </label>
        </fieldset>
        <label>
          Window
          <select value={String(windowSeconds)} onChange={(e) => setWindow(Number(e.currentTarget.value))}>
            {WINDOWS.map((w) => (
              <option value={String(w.seconds)}>{w.label}</option>
            ))}
          </select>
        </label>
        <label>
          Cluster selector <input value={selector} onChange={(e) => setSelector(e.currentTarget.value)} placeholder="env=prod" />
        </label>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {data && (
        <>
          <p class="big" data-testid="clusters-drifting">
            <strong>{data.clustersDrifting}</strong> {plural(data.clustersDrifting, "cluster")} drifting now
          </p>
          <figure class="chart">
            <figcaption>Drift episodes started, last {windowLabel}</figcaption>
            <EpisodesChart
              starts={timeline.map((b) => timestampDate(b.start!).getTime() / 1000)}
              episodes={timeline.map((b) => b.episodes)}
              label={`Bar chart: ${timeline.reduce((n, b) => n + b.episodes, 0)} drift episodes in the last ${windowLabel}`}
            />
          </figure>
          <h2>Across the fleet, most clusters first</h2>
          {data.groups.length === 0 ? (
            <p>No drift in the window.</p>
          ) : (
            <table>
              <Head cols={[by === DriftGrouping.FIELD && "Field", "Object", "Clusters", "Drifting now", "Episodes", "Changed by", "Last seen"]} />
              <tbody>
                {data.groups.map((g) => (
                  <tr key={`${objectName(g.ref)}:${g.field}`} data-group={`${g.ref?.kind}/${g.ref?.name}:${g.field}`}>
                    {by === DriftGrouping.FIELD && <td class="mono">{g.field || "(object deleted)"}</td>}
                    <th scope="row">{objectName(g.ref)}</th>
                    <td>
                      <details>
                        <summary>
                          {g.clusters.length} {plural(g.clusters.length, "cluster")}
                        </summary>
                        <ul class="plain">
                          {g.clusters.map((c) => (
                            <li key={c}>{g.apps.map((a) => <a href={href("drift", c, a)}>{`${c} (${a})`}</a>)}</li>
                          ))}
                        </ul>
                      </details>
                    </td>
                    <td>{g.clustersDrifting}</td>
                    <td>{g.episodes}</td>
                    <td>{g.managers.join(", ") || "—"}</td>
                    <td>{ago(g.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** One App on one cluster: each drifted object, field by field, desired against live, and who changed it. */
export function DriftDetail({ cluster, app }: { cluster: string; app: string }) {
  const tick = useTick(REFRESH_MS);
  const { data, error } = useRpc((signal) => admin.listDrift({ cluster, app, history: true, windowSeconds: BigInt(7 * 24 * 3600) }, { signal }), [cluster, app, tick]);
  return (
    <section aria-labelledby="drift-detail-title">
      <p>
        <a href={href("drift")}>← Drift</a>
      </p>
      <h1 id="drift-detail-title">
        Drift of {app} on {cluster}
      </h1>
      {error && <p role="alert" class="error">{error}</p>}
      {data && data.records.length === 0 && <p>No drift in the last 7 days.</p>}
      {data?.records
        .slice()
        .reverse()
        .map((r, i) => {
          const e = r.event!;
          return (
            <article class="diff" key={i} aria-label={`${objectName(e.ref)}, ${r.active ? "drifting" : "healed"}`}>
              <h2>
                {objectName(e.ref)} <span class={r.active ? "badge warn" : "badge ok"}>{r.active ? "▲ drifting" : `✔ healed ${when(e.healedAt)}`}</span>
              </h2>
              <p class="muted">
                since {when(e.firstSeen)}
                {e.manager && (
                  <>
                    {" "}
                    · changed by field manager <strong class="manager">{e.manager}</strong>
                  </>
                )}
              </p>
              {e.deleted && <p>The object was deleted from the cluster.</p>}
              {e.fields.length > 0 && (
                <table class="fields">
                  <Head cols={["Field", "Desired (Git)", "Live (cluster)"]} />
                  <tbody>
                    {e.fields.map((f) => (
                      <tr key={f.path} data-field={f.path}>
                        <th scope="row" class="mono">
                          {f.path}
                        </th>
                        <td class="mono del">
                          <span class="sr-only">desired: </span>− {f.desired || "(unset)"}
                        </td>
                        <td class="mono ins">
                          <span class="sr-only">live: </span>+ {f.live || "(unset)"}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </article>
          );
        })}
    </section>
  );
}
