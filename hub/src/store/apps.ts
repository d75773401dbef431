import { parseAppSpec, type AppSpec } from "../definitions/app.js";
import type { App, Db } from "./index.js";
import { decodeJson } from "./records.js";

/** An App as stored, its spec parsed and validated; specJson is the stored text (shown as is). */
export type AppRecord = Omit<App, "spec"> & { spec: AppSpec; specJson: string };

export type AppState = Partial<Pick<App, "pinnedRevision" | "revision" | "lastError" | "lastErrorRevision">>;

function decode(row: App): AppRecord {
  return { ...row, spec: decodeJson(row.spec, `App "${row.name}"`, "spec", (v) => parseAppSpec(v, row.name)), specJson: row.spec };
}

/** The Apps aggregate: reads decode the spec once; writes take only the state delivery keeps. */
export function createAppRepository(db: Db) {
  return {
    async get(name: string): Promise<AppRecord | null> {
      const row = await db.app.findUnique({ where: { name } });
      return row && decode(row);
    },
    /** All Apps by name; narrowed to names, an origin prefix, or those with a delivered revision. */
    async list(filter: { names?: string[]; originPrefix?: string; delivered?: boolean } = {}): Promise<AppRecord[]> {
      // Pushes to clusters that run nothing (a registration wave before any App) ask for no names.
      if (filter.names?.length === 0) return [];
      const rows = await db.app.findMany({
        where: {
          ...(filter.names ? { name: { in: filter.names } } : {}),
          ...(filter.originPrefix !== undefined ? { origin: { startsWith: filter.originPrefix } } : {}),
          ...(filter.delivered ? { revision: { not: null } } : {}),
        },
        orderBy: { name: "asc" },
      });
      return rows.map(decode);
    },
    /** Names of the Apps that use a Source. */
    async namesUsing(source: string): Promise<string[]> {
      return (await this.list()).filter((a) => a.spec.source === source).map((a) => a.name);
    },
    async update(name: string, state: AppState): Promise<void> {
      await db.app.update({ where: { name }, data: state });
    },
    async delete(name: string): Promise<void> {
      await db.app.delete({ where: { name } });
    },
  };
}
export type AppRepository = ReturnType<typeof createAppRepository>;
