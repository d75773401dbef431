import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export type Provider = "github" | "gitlab" | "gitea";

/** Which forge signed the delivery, if its signature holds for this secret; undefined otherwise. */
export function verifyWebhook(headers: IncomingHttpHeaders, body: Buffer, secret: string): Provider | undefined {
  const github = header(headers, "x-hub-signature-256");
  if (github !== undefined) return github.startsWith("sha256=") && same(github.slice(7), hmac(secret, body)) ? "github" : undefined;
  const gitea = header(headers, "x-gitea-signature");
  if (gitea !== undefined) return same(gitea, hmac(secret, body)) ? "gitea" : undefined;
  const gitlab = header(headers, "x-gitlab-token");
  if (gitlab !== undefined) return same(gitlab, secret) ? "gitlab" : undefined;
  return undefined;
}

function hmac(secret: string, body: Buffer): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

// Constant time whatever the lengths: compare digests of both sides.
function same(given: string, expected: string): boolean {
  const digest = (s: string) => createHmac("sha256", "gitfleet-compare").update(s).digest();
  return timingSafeEqual(digest(given.toLowerCase()), digest(expected.toLowerCase())) && given.length === expected.length;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
