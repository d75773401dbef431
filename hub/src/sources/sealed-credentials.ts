// A Source's credentials and webhook secret, sealed with the hub's secret box before they are stored.
import type { SourceSecrets } from "../definitions/index.js";
import type { Ctx } from "../delivery/context.js";
import { decodeJson, stringMap } from "../store/index.js";

const context = (name: string) => `source/${name}`;

export function sealSecrets(ctx: Ctx, name: string, secrets: SourceSecrets): string | null {
  return Object.keys(secrets).length > 0 ? ctx.box.seal(JSON.stringify(secrets), context(name)) : null;
}

export function openSecrets(ctx: Ctx, row: { name: string; credentials: string | null }): SourceSecrets {
  return row.credentials ? decodeJson(ctx.box.open(row.credentials, context(row.name)), `Source "${row.name}"`, "credentials", stringMap) : {};
}
