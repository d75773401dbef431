import { timestampDate } from "@bufbuild/protobuf/wkt";
import { stringify } from "yaml";
import { definition } from "./apps.js";
import type { AdminConnection } from "./connection.js";
import { ago, printJson, printTable } from "./output.js";

/** `gitfleet get notifiers`: where notices go, how many were delivered, and the last failure. */
export async function getNotifiers(conn: AdminConnection, name: string | undefined, output: string | undefined): Promise<void> {
  const { notifiers } = await conn.client.listNotifiers({}, { metadata: conn.metadata });
  const selected = name ? notifiers.filter((n) => n.name === name) : notifiers;
  if (name && selected.length === 0) throw new Error(`no notifier named "${name}"`);
  const defs = selected.map((n) => definition("Notifier", n.name, n.specJson));
  if (output === "yaml") return void process.stdout.write(defs.map((d) => stringify(d)).join("---\n"));
  if (output === "json") return printJson(selected.map((n, i) => ({ ...defs[i], status: { delivered: n.delivered, failed: n.failed, lastError: n.lastError, lastAttemptAt: n.lastAttemptAt ? timestampDate(n.lastAttemptAt).toISOString() : undefined } })));
  printTable(
    ["NAME", "URL", "EVENTS", "APPS", "DELIVERED", "FAILED", "LAST-ATTEMPT", "LAST-ERROR"],
    selected.map((n) => [n.name, n.url, String(n.events.length), n.apps.join(",") || "(all)", String(n.delivered), String(n.failed), ago(n.lastAttemptAt && timestampDate(n.lastAttemptAt)), n.lastError]),
  );
}
