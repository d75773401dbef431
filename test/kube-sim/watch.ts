// Watch streams fed from the store's change feed: resume from resourceVersion, initial events, bookmarks, 410 when too old.
import type { Writable } from "node:stream";
import { closed, type HandlerDeps, type Req, type Res } from "./server.js";
import { apiVersionOf, storageKey, type ResourceType } from "./kinds.js";
import { parseFieldSelector, parseLabelSelector } from "./selectors.js";
import type { StoreEvent } from "./store.js";
import { toTable } from "./table.js";
import type { KObj } from "./util.js";

export type WatchRegistry = Set<() => void>;

export function startWatch(d: HandlerDeps, req: Req, res: Res, rt: ResourceType, ns: string | undefined,
  q: URLSearchParams, table: string | undefined, endAfterMs?: number): void {
  const c = d.cluster;
  const lm = parseLabelSelector(q.get("labelSelector"));
  const fm = parseFieldSelector(rt, q.get("fieldSelector"));
  const key = storageKey(rt);
  const nsKey = rt.namespaced ? ns : undefined;
  const matches = (o: KObj) => (nsKey === undefined || o.metadata.namespace === nsKey) && (!lm || lm(o)) && (!fm || fm(o));
  const rvParam = q.get("resourceVersion") ?? "";
  const sendInitial = q.get("sendInitialEvents") === "true";
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const timeout = q.get("timeoutSeconds") ? Number(q.get("timeoutSeconds")) * 1000 : undefined;
  const seen = new Set<string>();
  const id = (o: KObj) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

  // HTTP/1.1 chunks a body of unknown length by itself; HTTP/2 forbids the header.
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  // HTTP/2's writeHead sends the headers at once.
  if (!("stream" in res)) res.flushHeaders();
  const out: Writable = res;
  const write = (type: string, obj: KObj) => {
    if (closed(res)) return;
    const o = type === "BOOKMARK" || type === "ERROR" ? obj : table ? toTable(rt, [c.present(rt, obj)], { resourceVersion: obj.metadata.resourceVersion }, q.get("includeObject"), table) : c.present(rt, obj);
    out.write(JSON.stringify({ type, object: o }) + "\n");
  };
  const bookmark = (initialEnd = false) => write("BOOKMARK", {
    kind: rt.kind, apiVersion: apiVersionOf(rt),
    metadata: { resourceVersion: String(c.store.rv), ...(initialEnd ? { annotations: { "k8s.io/initial-events-end": "true" } } : {}) },
  });

  const deliver = (e: StoreEvent) => {
    if (e.key !== key) return;
    const k = id(e.object);
    const now = e.type !== "DELETED" && matches(e.object);
    const was = seen.has(k);
    if (e.type === "DELETED") {
      if (was || matches(e.object)) write("DELETED", e.object);
      seen.delete(k);
      return;
    }
    if (now) { seen.add(k); write(was ? e.type : "ADDED", e.object); return; }
    if (was) { seen.delete(k); write("DELETED", e.object); }
  };

  let cleanup = () => {};
  const finish = () => { cleanup(); if (!res.writableEnded) res.end(); };

  if (rvParam === "" || rvParam === "0" || sendInitial) {
    for (const o of c.store.list(rt, nsKey)) if (matches(o)) { seen.add(id(o)); write("ADDED", o); }
    if (sendInitial && bookmarks) bookmark(true);
  } else {
    const rv = Number(rvParam);
    const events = Number.isFinite(rv) ? c.store.since(rv) : undefined;
    if (!events) {
      write("ERROR", { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${rvParam} (${c.store.oldestRv() - 1})`, reason: "Expired", code: 410 });
      res.end();
      return;
    }
    for (const o of c.store.list(rt, nsKey)) if (matches(o)) seen.add(id(o));
    for (const e of events) if (e.key === key) {
      if (e.type === "DELETED") { if (matches(e.object)) write("DELETED", e.object); }
      else if (matches(e.object)) write(e.type, e.object);
    }
  }

  const unsub = c.store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  if (bookmarks && d.bookmarkIntervalMs > 0) timers.push(setInterval(() => bookmark(), d.bookmarkIntervalMs));
  if (timeout !== undefined) timers.push(setTimeout(finish, timeout));
  if (endAfterMs !== undefined) timers.push(setTimeout(finish, endAfterMs));
  cleanup = () => {
    unsub();
    for (const t of timers) clearTimeout(t);
    d.watches.delete(finish);
  };
  d.watches.add(finish);
  req.on("close", cleanup);
  res.on("close", cleanup);
}
