import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClusterAccess, simpleKubeconfig } from "./access.js";

const config = (cluster: Record<string, unknown>, user: Record<string, unknown>, namespace?: string) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "c",
    contexts: [{ name: "other", context: { cluster: "x", user: "x" } }, { name: "c", context: { cluster: "k", user: "u", namespace } }],
    clusters: [{ name: "k", cluster }],
    users: [{ name: "u", user }],
  });

describe("cluster access from a kubeconfig", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "access-"));
    await writeFile(join(dir, "ca.crt"), "CA");
    await writeFile(join(dir, "token"), "from-file\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads a token, a CA by data and the context's namespace", async () => {
    const a = simpleKubeconfig(config({ server: "https://k:6443/", "certificate-authority-data": Buffer.from("CA").toString("base64") }, { token: "t1" }, "apps"), dir)!;
    expect([a.server, a.defaultNamespace, a.proxied]).toEqual(["https://k:6443", "apps", false]);
    const o = await a.requestOptions();
    expect([String(o.ca), o.headers, o.rejectUnauthorized]).toEqual(["CA", { Authorization: "Bearer t1" }, true]);
  });

  it("reads files relative to the kubeconfig, a token file afresh, basic auth and insecure-skip-tls-verify", async () => {
    const a = simpleKubeconfig(config({ server: "https://k", "certificate-authority": "ca.crt", "insecure-skip-tls-verify": true }, { tokenFile: "token", username: "me", password: "pw" }), dir)!;
    expect(a.defaultNamespace).toBe("default");
    expect(await a.requestOptions()).toMatchObject({ headers: { Authorization: "Bearer from-file" }, auth: "me:pw", rejectUnauthorized: false });
    await writeFile(join(dir, "token"), "rotated\n");
    expect((await a.requestOptions()).headers).toEqual({ Authorization: "Bearer rotated" });
  });

  it("leaves exec plugins and proxies to client-node's KubeConfig", async () => {
    const exec = config({ server: "https://k" }, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "true" } });
    expect(simpleKubeconfig(exec, dir)).toBeUndefined();
    expect(simpleKubeconfig(config({ server: "https://k", "proxy-url": "http://proxy:3128" }, { token: "t" }), dir)).toBeUndefined();
    const file = join(dir, "proxied");
    await writeFile(file, config({ server: "https://k", "proxy-url": "http://proxy:3128" }, { token: "t" }));
    const a = await loadClusterAccess(file);
    expect([a.server, a.proxied]).toEqual(["https://k", true]);
    expect((await a.requestOptions()).headers).toMatchObject({ Authorization: "Bearer t" });
  });
});
