import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { NotifierSummarySchema } from "@gitfleet/shared";
import type { NotifierSpec } from "../definitions/index.js";
import type { Init } from "../delivery/context.js";
import type { Db } from "../store/index.js";

export async function listNotifiers(db: Db): Promise<Init<typeof NotifierSummarySchema>[]> {
  const rows = await db.notifier.findMany({ orderBy: { name: "asc" } });
  return rows.map((r) => {
    const spec = JSON.parse(r.spec) as NotifierSpec;
    return {
      name: r.name, url: spec.url, events: spec.events, apps: spec.apps, delivered: r.delivered, failed: r.failed, lastError: r.lastError ?? "", specJson: r.spec,
      ...(r.lastAttemptAt ? { lastAttemptAt: timestampFromDate(r.lastAttemptAt) } : {}),
    };
  });
}
