import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DriftGrouping, type GetDriftGroupsResponseSchema } from "@gitfleet/shared";
import type { DriftEvent } from "../store/index.js";
import { DEFAULT_WINDOW_MS } from "./query.js";

const TIMELINE_BUCKETS = 24;

interface Group {
  ref: { apiVersion: string; kind: string; namespace: string; name: string };
  field: string;
  apps: Set<string>;
  clusters: Set<string>;
  drifting: Set<string>;
  episodes: number;
  managers: Set<string>;
  lastSeen: Date;
}

/**
 * Drift across the fleet, grouped by object or by object and field ("spec.replicas of Deployment
 * web drifted on 37 clusters"), most clusters first, with episodes per slice of the window.
 */
export function groupDrift(rows: DriftEvent[], by: DriftGrouping, windowMs: number, now: number): MessageInitShape<typeof GetDriftGroupsResponseSchema> {
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const paths = by === DriftGrouping.FIELD && !r.deleted ? (JSON.parse(r.fields) as { path: string }[]).map((f) => f.path) : [""];
    const seen = r.healedAt && r.healedAt > r.firstSeen ? r.healedAt : r.firstSeen;
    for (const field of new Set(paths)) {
      const key = [r.apiVersion, r.kind, r.namespace, r.name, field].join("\u0000");
      let g = groups.get(key);
      if (!g) {
        g = { ref: { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name }, field, apps: new Set(), clusters: new Set(), drifting: new Set(), episodes: 0, managers: new Set(), lastSeen: seen };
        groups.set(key, g);
      }
      g.apps.add(r.app);
      g.clusters.add(r.clusterName);
      if (r.active) g.drifting.add(r.clusterName);
      g.episodes++;
      if (r.manager) g.managers.add(r.manager);
      if (seen > g.lastSeen) g.lastSeen = seen;
    }
  }
  const sorted = [...groups.values()].sort((a, b) => b.clusters.size - a.clusters.size || b.episodes - a.episodes || b.lastSeen.getTime() - a.lastSeen.getTime());
  return {
    groups: sorted.map((g) => ({
      ref: g.ref,
      field: g.field,
      apps: [...g.apps].sort(),
      clusters: [...g.clusters].sort(),
      clustersDrifting: g.drifting.size,
      episodes: g.episodes,
      managers: [...g.managers].sort(),
      lastSeen: timestampFromDate(g.lastSeen),
    })),
    timeline: timeline(rows, windowMs || DEFAULT_WINDOW_MS, now),
    clustersDrifting: new Set(rows.filter((r) => r.active).map((r) => r.clusterName)).size,
  };
}

function timeline(rows: DriftEvent[], windowMs: number, now: number) {
  const size = windowMs / TIMELINE_BUCKETS;
  const start = now - windowMs;
  const counts = new Array<number>(TIMELINE_BUCKETS).fill(0);
  for (const r of rows) {
    const i = Math.floor((r.firstSeen.getTime() - start) / size);
    // Episodes older than the window but still open count in the first slice.
    counts[Math.min(TIMELINE_BUCKETS - 1, Math.max(0, i))]!++;
  }
  return counts.map((episodes, i) => ({ start: timestampFromDate(new Date(start + i * size)), episodes }));
}
