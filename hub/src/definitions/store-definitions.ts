import { type ResourceResult } from "@gitfleet/shared";

import type { ResourceResultSchema } from "@gitfleet/shared";
import { parseDefinitions, type Definition, type DefinitionText } from "./index.js";
import { audit } from "../registry/audit.js";
import type { Ctx, Init } from "../delivery/context.js";
import { openSecrets, sealSecrets } from "../sources/sealed-credentials.js";
import { HubError } from "../errors.js";
import { sourceRefusals } from "../sources/hosts.js";

export type ResultInit = Init<typeof ResourceResultSchema> & Pick<ResourceResult, "kind" | "name" | "action">;
export type Applied = { results: ResultInit[]; sources: string[]; apps: string[] };

/** Stores validated definitions in one transaction, kubectl-style; returns what changed for the caller to deliver. */
export async function storeDefinitions(ctx: Ctx, texts: readonly DefinitionText[], actor: string, originPrefix: string): Promise<Applied> {
  const defs = parseDefinitions(texts);
  await checkDefinitions(ctx, defs);
  const { db } = ctx;
  const out: Applied = { results: [], sources: [], apps: [] };
  const writes = [];
  for (const def of defs) {
    if (def.kind === "Source") {
      const row = await ctx.sources.get(def.name);
      const spec = JSON.stringify(def.shown);
      const same = row && row.specJson === spec && JSON.stringify(openSecrets(ctx, row)) === JSON.stringify(def.secrets);
      const data = { spec, credentials: sealSecrets(ctx, def.name, def.secrets), origin: originPrefix + def.origin };
      writes.push(same ? db.source.update({ where: { name: def.name }, data: { origin: originPrefix + def.origin } }) : db.source.upsert({ where: { name: def.name }, create: { name: def.name, ...data }, update: data }));
      // What a Source allows (remote resources) changes its renders: render its revisions again.
      if (row && !same && row.specJson !== spec) writes.push(db.render.deleteMany({ where: { key: { startsWith: `${def.name}@` } } }));
      out.results.push({ kind: "Source", name: def.name, action: row ? (same ? "unchanged" : "configured") : "created" });
      if (!same) out.sources.push(def.name);
    } else if (def.kind === "Notifier") {
      const row = await db.notifier.findUnique({ where: { name: def.name } });
      const spec = JSON.stringify(def.shown);
      const same = row && row.spec === spec && (row.secret ? ctx.box.open(row.secret, `notifier/${def.name}`) : undefined) === def.secret;
      const data = { spec, secret: def.secret ? ctx.box.seal(def.secret, `notifier/${def.name}`) : null, origin: originPrefix + def.origin };
      writes.push(same ? db.notifier.update({ where: { name: def.name }, data: { origin: data.origin } }) : db.notifier.upsert({ where: { name: def.name }, create: { name: def.name, ...data }, update: data }));
      out.results.push({ kind: "Notifier", name: def.name, action: row ? (same ? "unchanged" : "configured") : "created" });
    } else {
      const row = await ctx.apps.get(def.name);
      const spec = JSON.stringify(def.spec);
      const same = row?.specJson === spec;
      // The definition's revision is a pin; dropping it from the definition unpins.
      const hadRevision = row?.spec.revision !== undefined;
      const pin = def.spec.revision ?? (hadRevision ? null : (row?.pinnedRevision ?? null));
      const data = { spec, origin: originPrefix + def.origin, pinnedRevision: pin };
      writes.push(db.app.upsert({ where: { name: def.name }, create: { name: def.name, ...data }, update: same ? { origin: originPrefix + def.origin } : data }));
      out.results.push({ kind: "App", name: def.name, action: row ? (same ? "unchanged" : "configured") : "created" });
      if (!same) out.apps.push(def.name);
    }
  }
  await db.$transaction(writes);
  for (const r of out.results.filter((r) => r.action !== "unchanged")) {
    await audit(db, actor, `${r.kind.toLowerCase()}.apply`, r.name, { action: r.action, origin: originPrefix + defs.find((d) => d.name === r.name && d.kind === r.kind)!.origin });
  }
  return out;
}

/**
 * What parsing alone cannot see: an App must name a Source that exists already or comes in the same
 * apply, and every Source (and an App's stored one) fetches only from hosts the hub allows
 * (--source-hosts), so a refused host is never stored. The fetch checks the host again.
 */
export async function checkDefinitions(ctx: Ctx, defs: Definition[]): Promise<void> {
  const incoming = new Set(defs.filter((d) => d.kind === "Source").map((d) => d.name));
  const problems: string[] = [];
  for (const d of defs) {
    if (d.kind === "Source") {
      for (const { field, reason } of sourceRefusals(ctx.sourceHosts, d.spec)) problems.push(`${d.origin}: Source/${d.name}: ${field}: ${reason}`);
    }
    if (d.kind !== "App" || incoming.has(d.spec.source)) continue;
    const source = await ctx.sources.get(d.spec.source);
    if (!source) problems.push(`${d.origin}: App/${d.name}: spec.source: no Source named "${d.spec.source}"`);
    else {
      for (const { field, reason } of sourceRefusals(ctx.sourceHosts, source.spec)) problems.push(`${d.origin}: App/${d.name}: spec.source: Source "${d.spec.source}" cannot be fetched: ${field}: ${reason}`);
    }
  }
  if (problems.length) throw new HubError("INVALID_ARGUMENT", `invalid definitions, nothing applied:\n${problems.join("\n")}`);
}
