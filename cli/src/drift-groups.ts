import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { DriftGrouping, DriftGroupSchema, type ObjectRef } from "@gitfleet/shared";
import type { AdminConnection } from "./connection.js";
import type { DriftFlags } from "./drift.js";
import { CliError } from "./connection.js";
import { ago, printJson, printTable } from "./output.js";

const BY: Record<string, DriftGrouping> = { object: DriftGrouping.OBJECT, field: DriftGrouping.FIELD };

const objectName = (r: ObjectRef | undefined) => (r ? `${r.kind}/${r.namespace ? r.namespace + "/" : ""}${r.name}` : "?");

/** `gitfleet drift --by object|field`: drift grouped across the fleet, most clusters first. */
export async function driftGroups(conn: AdminConnection, f: DriftFlags & { by: string }): Promise<void> {
  const by = BY[f.by];
  if (by === undefined) throw new CliError(`--by must be object or field, got "${f.by}"`);
  const res = await conn.client.getDriftGroups(
    { by, clusterSelector: f.selector ?? "", app: f.app ?? "", windowSeconds: BigInt(Math.round(f.windowMs / 1000)) },
    { metadata: conn.metadata },
  );
  if (f.output === "json") return printJson({ clustersDrifting: res.clustersDrifting, groups: res.groups.map((g) => toJson(DriftGroupSchema, g)) });
  printTable(
    [...(by === DriftGrouping.FIELD ? ["FIELD"] : []), "OBJECT", "APPS", "CLUSTERS", "DRIFTING NOW", "EPISODES", "CHANGED BY", "LAST SEEN"],
    res.groups.map((g) => [
      ...(by === DriftGrouping.FIELD ? [g.field || "(object deleted)"] : []),
      objectName(g.ref),
      g.apps.join(","),
      String(g.clusters.length),
      String(g.clustersDrifting),
      String(g.episodes),
      g.managers.join(",") || "-",
      ago(g.lastSeen && timestampDate(g.lastSeen)),
    ]),
  );
  const top = res.groups[0];
  if (top) console.log(`\nmost widespread: ${top.field ? `${top.field} of ` : ""}${objectName(top.ref)} drifted on ${top.clusters.length} cluster(s) in the window`);
  console.log(`${res.clustersDrifting} cluster(s) drifting now`);
}
