import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { DriftRecordSchema, DriftSummaryRowSchema } from "@gitfleet/shared";
import type { AdminConnection } from "./connection.js";
import { ago, printJson, printTable } from "./output.js";

export interface DriftFlags {
  selector?: string;
  cluster?: string;
  app?: string;
  windowMs: number;
  history: boolean;
  output?: string;
}

/** `gitfleet drift`: per cluster and app, objects drifting now and episodes in the window. */
export async function driftSummary(conn: AdminConnection, f: DriftFlags): Promise<void> {
  const res = await conn.client.getDriftSummary(
    { clusterSelector: f.selector ?? "", cluster: f.cluster ?? "", app: f.app ?? "", windowSeconds: BigInt(Math.round(f.windowMs / 1000)) },
    { metadata: conn.metadata },
  );
  if (f.output === "json") {
    return printJson({ drifting: res.drifting, eventsInWindow: res.eventsInWindow, clustersDrifting: res.clustersDrifting, rows: res.rows.map((r) => toJson(DriftSummaryRowSchema, r)) });
  }
  printTable(
    ["CLUSTER", "APP", "DRIFTING", "EVENTS", "LAST SEEN"],
    res.rows.map((r) => [r.cluster, r.app, String(r.drifting), String(r.eventsInWindow), ago(r.lastSeen && timestampDate(r.lastSeen))]),
  );
  console.log(`\n${res.drifting} object(s) drifting now in ${res.clustersDrifting} cluster(s); ${res.eventsInWindow} drift event(s) in the window`);
}

/** `gitfleet drift show`: field-level differences, kubectl-diff style. */
export async function driftShow(conn: AdminConnection, f: DriftFlags): Promise<void> {
  const { records } = await conn.client.listDrift(
    { cluster: f.cluster ?? "", app: f.app ?? "", history: f.history, windowSeconds: BigInt(Math.round(f.windowMs / 1000)) },
    { metadata: conn.metadata },
  );
  if (f.output === "json") return printJson(records.map((r) => toJson(DriftRecordSchema, r)));
  if (records.length === 0) return void console.log("no drift");
  for (const r of records) {
    const e = r.event!;
    const obj = `${e.ref!.apiVersion} ${e.ref!.kind} ${e.ref!.namespace ? e.ref!.namespace + "/" : ""}${e.ref!.name}`;
    const since = e.firstSeen ? timestampDate(e.firstSeen).toISOString() : "?";
    const state = r.active ? "drifting" : `healed ${e.healedAt ? timestampDate(e.healedAt).toISOString() : ""}`.trim();
    console.log(`--- desired ${obj} (cluster ${r.cluster}, app ${e.app})`);
    console.log(`+++ live${e.manager ? ` (changed by ${e.manager})` : ""}, since ${since}, ${state}`);
    if (e.deleted) console.log("@@ object deleted from the cluster");
    for (const d of e.fields) {
      console.log(`@@ ${d.path}`);
      if (d.desired) console.log(d.desired.split("\n").map((l) => `-${l}`).join("\n"));
      if (d.live) console.log(d.live.split("\n").map((l) => `+${l}`).join("\n"));
    }
  }
}
