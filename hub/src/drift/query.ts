import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DriftRecordSchema, RpcError, type DriftRecord, type DriftSummaryRow } from "@gitfleet/shared";
import type { Db, DriftEvent } from "../store/index.js";
import { effectiveLabels } from "../registry/clusters.js";
import { parseSelector, SelectorSyntaxError } from "../targeting/parse-selector.js";
import { selects } from "../targeting/selector.js";

export const DEFAULT_WINDOW_MS = 24 * 3600 * 1000;

export interface DriftQuery {
  clusterSelector?: string;
  cluster?: string;
  app?: string;
  windowMs?: number;
}

/** Rows that drift now or had an episode start or end within the window, for the clusters the query selects. */
export async function relevant(db: Db, q: DriftQuery, now: number): Promise<DriftEvent[]> {
  const since = new Date(now - (q.windowMs || DEFAULT_WINDOW_MS));
  let clusterNames: string[] | undefined;
  if (q.clusterSelector) {
    let sel;
    try {
      sel = parseSelector(q.clusterSelector);
    } catch (err) {
      if (err instanceof SelectorSyntaxError) throw new RpcError("INVALID_ARGUMENT", err.message);
      throw err;
    }
    const clusters = await db.cluster.findMany();
    clusterNames = clusters.filter((c) => selects({ clusterSelector: sel }, { name: c.name, labels: effectiveLabels(c) })).map((c) => c.name);
  }
  const rows = await db.driftEvent.findMany({
    where: {
      ...(q.app ? { app: q.app } : {}),
      ...(q.cluster ? { clusterName: q.cluster } : {}),
      OR: [{ active: true }, { firstSeen: { gte: since } }, { healedAt: { gte: since } }],
    },
    orderBy: [{ clusterName: "asc" }, { app: "asc" }, { firstSeen: "asc" }],
  });
  // Filtered here, not with `in: [...]`: a selector can match more clusters than SQLite takes bound values.
  const selected = clusterNames && new Set(clusterNames);
  return selected ? rows.filter((r) => selected.has(r.clusterName)) : rows;
}

export async function driftSummary(db: Db, q: DriftQuery, now = Date.now()) {
  const rows = new Map<string, DriftSummaryRow>();
  for (const r of await relevant(db, q, now)) {
    const key = `${r.clusterName}\u0000${r.app}`;
    const row = rows.get(key) ?? ({ cluster: r.clusterName, app: r.app, drifting: 0, eventsInWindow: 0 } as DriftSummaryRow);
    if (r.active) row.drifting++;
    row.eventsInWindow++;
    const seen = r.healedAt && r.healedAt > r.firstSeen ? r.healedAt : r.firstSeen;
    if (!row.lastSeen || seen.getTime() > Number(row.lastSeen.seconds) * 1000) row.lastSeen = timestampFromDate(seen);
    rows.set(key, row);
  }
  const list = [...rows.values()];
  return {
    rows: list,
    drifting: list.reduce((n, r) => n + r.drifting, 0),
    eventsInWindow: list.reduce((n, r) => n + r.eventsInWindow, 0),
    clustersDrifting: new Set(list.filter((r) => r.drifting > 0).map((r) => r.cluster)).size,
  };
}

export async function listDrift(db: Db, q: DriftQuery & { history: boolean }, now = Date.now()): Promise<DriftRecord[]> {
  const rows = (await relevant(db, q, now)).filter((r) => q.history || r.active);
  return rows.map((r) =>
    create(DriftRecordSchema, {
      cluster: r.clusterName,
      active: r.active,
      event: {
        app: r.app,
        ref: { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name },
        fields: JSON.parse(r.fields) as { path: string; desired: string; live: string }[],
        manager: r.manager,
        deleted: r.deleted,
        firstSeen: timestampFromDate(r.firstSeen),
        healedAt: r.healedAt ? timestampFromDate(r.healedAt) : undefined,
      },
    }),
  );
}
