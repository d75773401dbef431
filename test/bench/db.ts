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
  stats(): Promise<DbStats>;
  close(): Promise<void>;
}

const TABLES = ["Cluster", "Token", "Revision", "Bundle", "Render", "Assignment", "AppStatus", "DriftEvent", "AuditEvent", "RolloutCluster"] as const;

export async function openBenchDb(dataDir: string, databaseUrl: string | undefined): Promise<BenchDb> {
  const store: Store = await openStore({ dataDir, databaseUrl });
  const { db } = store;
  const schema = databaseUrl ? new URL(databaseUrl).searchParams.get("schema") ?? "public" : undefined;
  return {
    connected: () => db.cluster.count({ where: { state: "Connected" } }),
    healthyAt: (app, revision) => db.appStatus.count({ where: { app, revision, sync: "SYNCED", health: "HEALTHY" } }),
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
