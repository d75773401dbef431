import { createHmac } from "node:crypto";
import type http from "node:http";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createWebhookRoute, verifyWebhook } from "./index.js";

const body = Buffer.from('{"ref":"refs/heads/main"}');
const hex = (secret: string) => createHmac("sha256", secret).update(body).digest("hex");

describe("verifyWebhook", () => {
  it.each([
    ["github", { "x-hub-signature-256": `sha256=${hex("s3cret")}` }],
    ["gitlab", { "x-gitlab-token": "s3cret" }],
    ["gitea", { "x-gitea-signature": hex("s3cret") }],
  ])("accepts a good %s signature", (provider, headers) => {
    expect(verifyWebhook(headers, body, "s3cret")).toBe(provider);
  });

  it.each([
    ["github, other secret", { "x-hub-signature-256": `sha256=${hex("other")}` }],
    ["github, no prefix", { "x-hub-signature-256": hex("s3cret") }],
    ["github, truncated", { "x-hub-signature-256": `sha256=${hex("s3cret").slice(0, 20)}` }],
    ["gitlab, wrong token", { "x-gitlab-token": "s3cre" }],
    ["gitea, other secret", { "x-gitea-signature": hex("other") }],
    ["no signature", {}],
  ])("refuses %s", (_, headers) => {
    expect(verifyWebhook(headers, body, "s3cret")).toBeUndefined();
  });
});

describe("webhook route", () => {
  const secrets: Record<string, string | undefined> = { apps: "s3cret", open: undefined };
  const triggered: string[] = [];
  const route = createWebhookRoute({
    log: pino({ level: "silent" }),
    secretOf: async (name) => (name in secrets ? secrets[name] : null),
    trigger: (name) => void triggered.push(name),
  });
  const call = (path: string, headers: Record<string, string>, method = "POST") =>
    route({ url: path, method, headers } as unknown as http.IncomingMessage, body);

  it("triggers a fetch on a verified delivery only", async () => {
    expect((await call("/hooks/apps", { "x-gitlab-token": "wrong" })).status).toBe(401);
    expect((await call("/hooks/apps", {})).status).toBe(401);
    expect((await call("/hooks/open", { "x-gitlab-token": "" })).status).toBe(401);
    expect((await call("/hooks/nope", { "x-gitlab-token": "s3cret" })).status).toBe(401);
    expect((await call("/hooks/apps", { "x-gitlab-token": "s3cret" }, "GET")).status).toBe(405);
    expect(triggered).toEqual([]);
    expect((await call("/hooks/apps", { "x-hub-signature-256": `sha256=${hex("s3cret")}` })).status).toBe(202);
    expect(triggered).toEqual(["apps"]);
  });
});
