import { storedSourceSpec } from "../definitions/source.js";
import type { SourceSpec } from "../sources/index.js";
import type { Db, Source } from "./index.js";
import { decodeJson } from "./records.js";

/**
 * A Source as stored: spec is parsed and validated for fetching; shown is the stored object
 * (URL without userinfo, secrets as "[redacted]") and specJson its text.
 */
export type SourceRecord = Omit<Source, "spec"> & { spec: SourceSpec; shown: Record<string, unknown>; specJson: string };

export type SourceState = Partial<Pick<Source, "lastRevision" | "lastFetchedAt" | "lastError">>;

function decode(row: Source): SourceRecord {
  const { shown, spec } = decodeJson(row.spec, `Source "${row.name}"`, "spec", (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("want an object");
    return { shown: v as Record<string, unknown>, spec: storedSourceSpec(v as Record<string, unknown>) };
  });
  return { ...row, spec, shown, specJson: row.spec };
}

/** The Sources aggregate (with their Revisions when a Source goes). */
export function createSourceRepository(db: Db) {
  return {
    async get(name: string): Promise<SourceRecord | null> {
      const row = await db.source.findUnique({ where: { name } });
      return row && decode(row);
    },
    async list(filter: { originPrefix?: string } = {}): Promise<SourceRecord[]> {
      const rows = await db.source.findMany({
        where: filter.originPrefix !== undefined ? { origin: { startsWith: filter.originPrefix } } : {},
        orderBy: { name: "asc" },
      });
      return rows.map(decode);
    },
    async exists(name: string): Promise<boolean> {
      return (await db.source.count({ where: { name } })) > 0;
    },
    async update(name: string, state: SourceState): Promise<void> {
      await db.source.update({ where: { name }, data: state });
    },
    /** Deletes the Source and the Revisions recorded for it. */
    async delete(name: string): Promise<void> {
      await db.$transaction([db.source.delete({ where: { name } }), db.revision.deleteMany({ where: { sourceName: name } })]);
    },
  };
}
export type SourceRepository = ReturnType<typeof createSourceRepository>;
