import { createHmac } from "node:crypto";
import type { Logger } from "@gitfleet/shared";
import type { NotifierSpec } from "../definitions/index.js";
import { NOTIFY_ATTEMPTS, NOTIFY_BACKOFF_MS, NOTIFY_TIMEOUT_MS } from "../config/intervals.js";
import type { SecretBox } from "../secrets/index.js";
import type { Db } from "../store/index.js";
import { payload, type Notice } from "./payload.js";

export type { Notice } from "./payload.js";

export interface NotifierDeps {
  db: Db;
  log: Logger;
  box: SecretBox;
  backoffMs?: number;
}

/**
 * Delivers notices to every Notifier that wants them: JSON POSTs signed with the Notifier's
 * secret (X-Gitfleet-Signature: sha256=HMAC of the body), retried with backoff; the outcome is
 * counted on the Notifier, the last failure kept where `gitfleet get notifiers` shows it.
 */
export function createNotifications(deps: NotifierDeps) {
  const { db, log } = deps;
  const inflight = new Set<Promise<void>>();

  async function send(name: string, url: string, secret: string | undefined, event: string, body: string): Promise<void> {
    let error = "";
    for (let attempt = 1; attempt <= NOTIFY_ATTEMPTS; attempt++) {
      try {
        const headers: Record<string, string> = { "content-type": "application/json", "x-gitfleet-event": event };
        if (secret) headers["x-gitfleet-signature"] = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
        const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS) });
        await res.arrayBuffer();
        if (res.ok) {
          await db.notifier.updateMany({ where: { name }, data: { delivered: { increment: 1 }, lastAttemptAt: new Date() } });
          return;
        }
        error = `HTTP ${res.status} from ${url}`;
      } catch (err) {
        error = `${url}: ${(err as Error).message}`;
      }
      if (attempt < NOTIFY_ATTEMPTS) await new Promise((r) => setTimeout(r, (deps.backoffMs ?? NOTIFY_BACKOFF_MS) * 2 ** (attempt - 1)));
    }
    log.warn({ notifier: name, event, err: error }, "notification failed after retries");
    await db.notifier.updateMany({ where: { name }, data: { failed: { increment: 1 }, lastError: `${event}: ${error} (after ${NOTIFY_ATTEMPTS} attempts)`, lastAttemptAt: new Date() } });
  }

  return {
    /** Sends in the background: a slow receiver never holds up delivery. */
    publish(notices: Notice[]): void {
      if (notices.length === 0) return;
      const p = (async () => {
        // Each Notifier gets the notices in order; one slow receiver does not hold up the others.
        await Promise.all((await db.notifier.findMany()).map(async (row) => {
          const spec = JSON.parse(row.spec) as NotifierSpec;
          const secret = row.secret ? deps.box.open(row.secret, `notifier/${row.name}`) : undefined;
          for (const n of notices) {
            if (!spec.events.includes(n.event) || (spec.apps.length > 0 && !spec.apps.includes(n.app))) continue;
            await send(row.name, spec.url, secret, n.event, payload(n, new Date()));
          }
        }));
      })().catch((err: unknown) => log.error({ err }, "notifications failed"));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    },
    async idle(): Promise<void> {
      await Promise.all([...inflight]);
    },
  };
}
export type Notifications = ReturnType<typeof createNotifications>;
