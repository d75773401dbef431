import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChartVersionNotFoundError, HelmRepoError } from "./errors.js";
import { createHelmRepos } from "./helm-repo.js";
import type { HelmSourceSpec } from "./spec.js";
import { tgzOf } from "./test-tar.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-helm-repo-"));
const files = new Map<string, Buffer | string>();
const auth = { username: "ci", password: "s3cret" };
let server: Server;
let base: string;
const requests: string[] = [];
const hosts: string[] = [];
let notModified = 0;

const chart = (version: string) => tgzOf([{ name: "web/Chart.yaml", data: `apiVersion: v2\nname: web\nversion: ${version}\n` }, { name: "web/templates/cm.yaml", data: `kind: ConfigMap\nversion: ${version}\n` }]);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const entry = (version: string, url: string, digest?: string) => `  - {name: web, version: ${version}, urls: ["${url}"]${digest ? `, digest: ${digest}` : ""}}\n`;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    hosts.push(req.headers.host ?? "");
    if (req.headers.authorization !== `Basic ${Buffer.from("ci:s3cret").toString("base64")}`) return void res.writeHead(401).end();
    if (req.url === "/moved/index.yaml") return void res.writeHead(302, { location: "https://elsewhere.example/index.yaml" }).end();
    const body = files.get(req.url ?? "");
    // The index under /etag/ answers conditional GETs, as static file servers do.
    const etag = body !== undefined && req.url === "/etag/index.yaml" ? `"${sha(Buffer.from(body)).slice(0, 16)}"` : undefined;
    if (etag && req.headers["if-none-match"] === etag) {
      notModified++;
      return void res.writeHead(304, { etag }).end();
    }
    res.writeHead(body === undefined ? 404 : 200, etag ? { etag } : {}).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

const repos = createHelmRepos({ dir: join(tmp, "charts"), logger: pino({ level: "silent" }), timeoutMs: 10_000 });
const spec = (version: string, path = "/charts"): HelmSourceSpec => ({ type: "helm", url: `${base}${path}`, chart: "web", version, intervalMs: 60_000 });
const failure = async (p: Promise<unknown>) => p.then(() => { throw new Error("no error"); }, (e: unknown) => e as Error);

describe("Helm repository Sources", () => {
  it("resolves the highest version in range to VERSION@sha256:DIGEST and unpacks it once", async () => {
    const [one, two, three] = [chart("1.0.0"), chart("1.1.0"), chart("2.0.0")];
    files.set("/charts/web-1.0.0.tgz", one).set("/charts/web-1.1.0.tgz", two).set("/charts/web-2.0.0.tgz", three);
    files.set("/charts/index.yaml", `apiVersion: v1\nentries:\n  web:\n${entry("1.0.0", "web-1.0.0.tgz", sha(one))}${entry("1.1.0", "web-1.1.0.tgz", sha(two))}${entry("2.0.0", "web-2.0.0.tgz")}`);
    const rev = await repos.resolve("charts", spec("^1.0.0"), auth);
    expect(rev).toMatchObject({ sha: `1.1.0@sha256:${sha(two).slice(0, 12)}`, ref: "web-1.1.0", message: "web 1.1.0", author: `${base}/charts` }); // no maintainers listed: the repository
    const tree = await repos.tree("charts", spec("^1.0.0"), rev.sha, auth);
    expect(readFileSync(join(tree, "templates/cm.yaml"), "utf8")).toContain("version: 1.1.0");
    requests.length = 0;
    expect(await repos.resolve("charts", spec("^1.0.0"), auth)).toMatchObject({ sha: rev.sha });
    expect(requests).toEqual(["/charts/index.yaml"]); // digest known and tree there: no download
    // Without a digest in the index, the archive's own sha256 is the revision.
    expect((await repos.resolve("charts", spec("2.x"), auth)).sha).toBe(`2.0.0@sha256:${sha(three).slice(0, 12)}`);
  });

  it("fails typed and clear: credentials, unreachable, no such chart or version, digest mismatch, outside URLs, redirects", async () => {
    const unauthorized = await failure(repos.resolve("charts", spec("^1.0.0"), { ...auth, password: "wrong" }));
    expect(unauthorized).toBeInstanceOf(HelmRepoError);
    expect(unauthorized).toMatchObject({ reason: "unauthorized" });
    expect(unauthorized.message).toBe(`fetching source "charts" from ${base}/charts/index.yaml: 401 Unauthorized: the repository refused the credentials (spec.credentials)`);
    expect(unauthorized.message).not.toContain("wrong");
    expect((await failure(repos.resolve("charts", spec("^1.0.0")))).message).toMatch(/401 Unauthorized: the repository wants credentials: set spec.credentials/);

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const unreachable = await failure(repos.resolve("charts", { ...spec("*"), url: `http://127.0.0.1:${port}/charts` }, auth));
    expect(unreachable).toMatchObject({ reason: "unreachable" });
    expect(unreachable.message).toMatch(/repository unreachable: ECONNREFUSED/);

    const missing = await failure(repos.resolve("charts", spec("^3.0.0"), auth));
    expect(missing).toBeInstanceOf(ChartVersionNotFoundError);
    expect(missing.message).toBe('source "charts": no revision matches chart "web" version "^3.0.0": available: 2.0.0, 1.1.0, 1.0.0');
    expect((await failure(repos.resolve("charts", { ...spec("*"), chart: "db" }, auth))).message).toMatch(/index\.yaml has no chart "db"/);
    expect(await failure(repos.resolve("charts", spec("*", "/nowhere"), auth))).toMatchObject({ reason: "http-status", message: expect.stringMatching(/answered 404/) });
    expect(await failure(repos.resolve("charts", spec("*", "/moved"), auth))).toMatchObject({ reason: "redirect", message: expect.stringMatching(/redirected \(302\) to https:\/\/elsewhere\.example\/index\.yaml: set spec\.url/) });

    const good = chart("1.5.0");
    files.set("/bad/web-1.5.0.tgz", chart("1.5.1")).set("/bad/index.yaml", `entries:\n  web:\n${entry("1.5.0", "web-1.5.0.tgz", sha(good))}${entry("1.6.0", "https://elsewhere.example/web-1.6.0.tgz")}`);
    const mismatch = await failure(repos.resolve("bad", spec("~1.5.0", "/bad"), auth));
    expect(mismatch).toMatchObject({ reason: "digest-mismatch" });
    expect(mismatch.message).toContain(`chart web 1.5.0: index.yaml says sha256:${sha(good)}, the archive is sha256:${sha(chart("1.5.1"))}`);
    const outside = await failure(repos.resolve("bad", spec("1.6.0", "/bad"), auth));
    expect(outside).toMatchObject({ reason: "outside-repository", message: expect.stringContaining("is at https://elsewhere.example/web-1.6.0.tgz, outside the repository URL") });

    files.set("/evil/web-1.0.0.tgz", tgzOf([{ name: "web/Chart.yaml", data: "name: web\n" }, { name: "web/x", type: "2", link: "/etc/shadow" }])).set("/evil/index.yaml", `entries:\n  web:\n${entry("1.0.0", "web-1.0.0.tgz")}`);
    expect(await failure(repos.resolve("evil", spec("*", "/evil"), auth))).toMatchObject({ reason: "bad-archive", message: expect.stringMatching(/chart web 1\.0\.0: web\/x: links are refused/) });
  });

  it("reads an unchanged index (304) from memory, and a changed one again", async () => {
    const [a, b] = [chart("4.0.0"), chart("4.1.0")];
    files.set("/etag/web-4.0.0.tgz", a).set("/etag/web-4.1.0.tgz", b).set("/etag/index.yaml", `entries:\n  web:\n${entry("4.0.0", "web-4.0.0.tgz", sha(a))}`);
    const first = await repos.resolve("etag", spec("^4.0.0", "/etag"), auth);
    requests.length = 0;
    expect(await repos.resolve("etag", spec("^4.0.0", "/etag"), auth)).toMatchObject({ sha: first.sha });
    expect(requests).toEqual(["/etag/index.yaml"]);
    expect(notModified).toBe(1);
    files.set("/etag/index.yaml", `entries:\n  web:\n${entry("4.0.0", "web-4.0.0.tgz", sha(a))}${entry("4.1.0", "web-4.1.0.tgz", sha(b))}`);
    expect((await repos.resolve("etag", spec("^4.0.0", "/etag"), auth)).sha).toBe(`4.1.0@sha256:${sha(b).slice(0, 12)}`);
    // Another chart of the same repository is not answered from the first chart's memory.
    expect(await failure(repos.resolve("etag", { ...spec("*", "/etag"), chart: "db" }, auth))).toBeInstanceOf(ChartVersionNotFoundError);
  });

  it("connects a host name --source-hosts checked to the checked addresses only, index and archive", async () => {
    const one = chart("5.0.0");
    files.set("/pinned/web-5.0.0.tgz", one).set("/pinned/index.yaml", `entries:\n  web:\n${entry("5.0.0", "web-5.0.0.tgz", sha(one))}`);
    // charts.fleet.test has no DNS entry: only the pinned address reaches the server.
    const named = { ...spec("*", "/pinned"), url: `${base.replace("127.0.0.1", "charts.fleet.test")}/pinned` };
    hosts.length = 0;
    expect((await repos.resolve("pinned", named, auth, { host: "charts.fleet.test", addresses: ["127.0.0.1"] })).sha).toBe(`5.0.0@sha256:${sha(one).slice(0, 12)}`);
    expect(new Set(hosts)).toEqual(new Set([new URL(named.url).host]));
    expect(hosts).toHaveLength(2);
  });

  it("downloads a revision's tree again when it is gone, refusing one republished with other content", async () => {
    const first = chart("3.0.0");
    files.set("/again/web-3.0.0.tgz", first).set("/again/index.yaml", `entries:\n  web:\n${entry("3.0.0", "web-3.0.0.tgz")}`);
    const rev = (await repos.resolve("again", spec("3.0.0", "/again"), auth)).sha;
    const tree = await repos.tree("again", spec("3.0.0", "/again"), rev, auth);
    rmSync(tree, { recursive: true });
    expect(await repos.tree("again", spec("3.0.0", "/again"), rev, auth)).toBe(tree);
    rmSync(tree, { recursive: true });
    files.set("/again/web-3.0.0.tgz", tgzOf([{ name: "web/Chart.yaml", data: "name: web\nversion: 3.0.0\n# republished\n" }]));
    expect(await failure(repos.tree("again", spec("3.0.0", "/again"), rev, auth))).toMatchObject({ reason: "digest-mismatch", message: expect.stringMatching(/chart web 3\.0\.0 changed in the repository since it was resolved/) });
  });
});
