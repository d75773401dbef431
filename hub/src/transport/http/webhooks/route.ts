import type http from "node:http";
import type { Logger } from "@gitfleet/shared";
import { verifyWebhook } from "./verify.js";

export const HOOKS_PREFIX = "/hooks/";

export type WebhookResponse = { status: number; body: string };

export interface WebhookDeps {
  log: Logger;
  /** The Source's webhook secret; null when there is no such Source, undefined when it has none. */
  secretOf(source: string): Promise<string | null | undefined>;
  /** Starts a fetch of the Source; must not wait for it (forges time out in seconds). */
  trigger(source: string): void;
}

/** POST /hooks/<source>: a verified delivery triggers an immediate fetch; anything else fetches nothing. */
export function createWebhookRoute(deps: WebhookDeps): (req: http.IncomingMessage, body: Buffer) => Promise<WebhookResponse> {
  return async (req, body) => {
    const path = new URL(req.url ?? "/", "http://hub").pathname;
    let source: string;
    try {
      source = decodeURIComponent(path.slice(HOOKS_PREFIX.length).replace(/\/+$/, ""));
    } catch {
      return { status: 400, body: "malformed percent-encoding in the path\n" };
    }
    if (req.method !== "POST") return { status: 405, body: "POST only\n" };
    const secret = await deps.secretOf(source);
    // An unknown Source answers like a bad signature, so the endpoint does not tell which Sources exist.
    const provider = secret ? verifyWebhook(req.headers, body, secret) : undefined;
    if (!provider) {
      deps.log.warn({ source, reason: secret === null ? "no such source" : secret ? "bad or missing signature" : "source has no webhookSecret" }, "webhook refused");
      return { status: 401, body: "signature missing or invalid\n" };
    }
    deps.log.info({ source, provider }, "webhook accepted");
    deps.trigger(source);
    return { status: 202, body: "fetch scheduled\n" };
  };
}
