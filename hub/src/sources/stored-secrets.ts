import type { SourceSecrets } from "../definitions/index.js";
import type { Ctx } from "../delivery/context.js";

const context = (name: string) => `source/${name}`;

export function sealSecrets(ctx: Ctx, name: string, secrets: SourceSecrets): string | null {
  return Object.keys(secrets).length > 0 ? ctx.box.seal(JSON.stringify(secrets), context(name)) : null;
}

export function openSecrets(ctx: Ctx, row: { name: string; credentials: string | null }): SourceSecrets {
  return row.credentials ? (JSON.parse(ctx.box.open(row.credentials, context(row.name))) as SourceSecrets) : {};
}
