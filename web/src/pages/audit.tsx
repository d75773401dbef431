import { useMemo, useState } from "preact/hooks";
import { admin } from "../api.js";
import { useRpc } from "../use-rpc.js";
import { useTick } from "../use-interval.js";
import { isoTime, when } from "../format.js";
import { Head } from "../components/head.js";
import { auditDetail, auditRows } from "./audit-view.js";

/** Who did what, newest first, searchable across actor, action, subject and detail. */
export function AuditPage() {
  const [query, setQuery] = useState("");
  const tick = useTick(5000);
  const { data, error } = useRpc((signal) => admin.listAuditEvents({}, { signal }), [tick]);
  const events = useMemo(() => auditRows(data?.events ?? [], query), [data, query]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} placeholder="actor, action, subject" />
        </label>
        <span class="muted" role="status">
          {events.length} of {data?.events.length ?? 0} events
        </span>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      <table>
        <Head cols={["When", "Actor", "Action", "Subject", "Detail"]} />
        <tbody>
          {events.slice(0, 500).map((e) => (
            <tr key={String(e.id)} data-action={e.action}>
              <td>
                <time dateTime={isoTime(e.at)}>{when(e.at)}</time>
              </td>
              <td>{e.actor}</td>
              <th scope="row">{e.action}</th>
              <td>{e.subject}</td>
              <td class="mono detail">
                <Detail {...auditDetail(e)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A group of clusters' transitions opens to every cluster it names. */
function Detail({ text, clusters }: { text: string; clusters?: string[] }) {
  if (!clusters) return <>{text}</>;
  return (
    <details>
      <summary>{text}</summary>
      {clusters.join(", ")}
    </details>
  );
}
