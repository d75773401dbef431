// The hub's database read from the benchmark driver (through the hub's own store code), so that
// "stored on the hub" is measured where it happens without asking the hub, and so that rows and
// size can be reported. SQLite readers do not block the hub's writes (WAL).
import { stat } from "node:fs/promises";
import { openStore, type Store } from "@gitfleet/hub/dist/src/store/index.js";

export interface DbStats {
  rows: Record<string, number>;
  size_mb: number;
}

export interface BenchDb {
  /** Clusters whose agent has its stream open. */
  connected(): Promise<number>;
  /** Rows of the app at this revision that are Synced and Healthy. */
  healthyAt(app: string, revision: string): Promise<number>;
  /** The App's rollout, if it has one: a halted or rolled-back one never delivers the revision. */
  rollout(app: string): Promise<{ state: string; to: string; reason: string } | undefined>;
  /** What the hub holds for up to `limit` clusters not Synced and Healthy at the revision (to say why a delivery stalls). */
  behind(app: string, revision: string, limit: number): Promise<string[]>;
  stats(): Promise<DbStats>;
  close(): Promise<void>;
}

const TABLES = ["Cluster", "Token", "Revision", "Bundle", "Render", "Assignment", "AppStatus", "StatusObjects", "DriftEvent", "AuditEvent", "RolloutCluster"] as const;

export async function openBenchDb(dataDir: string, databaseUrl: string | undefined): Promise<BenchDb> {
  const store: Store = await openStore({ dataDir, databaseUrl });
  const { db } = store;
  const schema = databaseUrl ? new URL(databaseUrl).searchParams.get("schema") ?? "public" : undefined;
  return {
    connected: () => db.cluster.count({ where: { state: "Connected" } }),
    healthyAt: (app, revision) => db.appStatus.count({ where: { app, revision, sync: "SYNCED", health: "HEALTHY" } }),
    async rollout(app) {
      const r = await db.rollout.findUnique({ where: { app }, select: { state: true, toRevision: true, reason: true } });
      return r ? { state: r.state, to: r.toRevision, reason: r.reason } : undefined;
    },
    async behind(app, revision, limit) {
      const done = await db.appStatus.findMany({ where: { app, revision, sync: "SYNCED", health: "HEALTHY" }, select: { clusterName: true } });
      const skip = new Set(done.map((r) => r.clusterName));
      const names = (await db.cluster.findMany({ select: { name: true }, orderBy: { name: "asc" } })).map((c) => c.name).filter((n) => !skip.has(n)).slice(0, limit);
      const [clusters, assigned, statuses, steps] = await Promise.all([
        db.cluster.findMany({ where: { name: { in: names } }, select: { name: true, state: true, generation: true, lastHeartbeat: true } }),
        db.assignment.findMany({ where: { app, clusterName: { in: names } }, select: { clusterName: true, revision: true } }),
        db.appStatus.findMany({ where: { app, clusterName: { in: names } }, select: { clusterName: true, revision: true, sync: true, health: true, message: true, observedAt: true } }),
        db.rolloutCluster.findMany({ where: { app, clusterName: { in: names } }, select: { clusterName: true, step: true, message: true } }),
      ]);
      const by = <T extends { clusterName: string }>(rows: T[]) => new Map(rows.map((r) => [r.clusterName, r]));
      const [a, st, sp] = [by(assigned), by(statuses), by(steps)];
      return clusters.map((c) => {
        const s = st.get(c.name);
        const step = sp.get(c.name);
        return `${c.name}: ${c.state} (generation ${c.generation}, heartbeat ${c.lastHeartbeat?.toISOString() ?? "never"}); assigned ${a.get(c.name)?.revision.slice(0, 10) ?? "nothing"}; status ${s ? `${s.revision.slice(0, 10)} ${s.sync}/${s.health} at ${s.observedAt.toISOString()}: ${s.message.slice(0, 200)}` : "none"}; rollout step ${step ? `${step.step} ${step.message.slice(0, 200)}` : "none"}`;
      });
    },
    async stats() {
      const rows: Record<string, number> = {};
      for (const t of TABLES) {
        const [r] = await db.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM "${t}"`);
        rows[t] = Number(r?.n ?? 0);
      }
      let bytes = 0;
      if (schema === undefined) {
        const file = `${dataDir}/gitfleet.db`;
        for (const f of [file, `${file}-wal`]) bytes += await stat(f).then((s) => s.size, () => 0);
      } else {
        const [r] = await db.$queryRawUnsafe<{ n: number | bigint | string }[]>(
          `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS n FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = $1 AND c.relkind = 'r'`,
          schema,
        );
        bytes = Number(r?.n ?? 0);
      }
      return { rows, size_mb: Math.round((bytes / 2 ** 20) * 10) / 10 };
    },
    close: () => store.close(),
  };
}
