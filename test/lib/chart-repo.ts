// An HTTP Helm repository on loopback: charts packaged and indexed by the real helm, served with basic auth.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, normalize } from "node:path";
import { atFileEnd } from "./cleanup.js";
import { tempDir } from "./fleet.js";
import { helm } from "./helm.js";

export interface ChartRepo {
  /** The repository URL (the directory of index.yaml), without credentials. */
  url: string;
  /** Paths requested so far, with the answer's status. */
  requests: { path: string; status: number }[];
  /** Packages chart files (paths inside the chart) as VERSION with `helm package` and re-indexes with `helm repo index`. */
  publish(files: Record<string, string>, version: string, appVersion?: string): Promise<void>;
  /** Archives chart files with plain tar (what `helm package` would refuse, e.g. a dependency not vendored) and re-indexes. */
  publishUnchecked(files: Record<string, string>, version: string): Promise<void>;
  close(): Promise<void>;
}

export async function startChartRepo(prefix: string, auth: { username: string; password: string }): Promise<ChartRepo> {
  const dir = await tempDir(`${prefix}-repo`);
  const served = join(dir, "served");
  await mkdir(served, { recursive: true });
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  const requests: ChartRepo["requests"] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://repo").pathname;
    const answer = (status: number, body?: Buffer) => {
      requests.push({ path, status });
      res.writeHead(status, status === 401 ? { "www-authenticate": 'Basic realm="charts"' } : {}).end(body);
    };
    if (req.headers.authorization !== expected) return answer(401);
    const rel = normalize(path.replace(/^\/charts\//, ""));
    if (!path.startsWith("/charts/") || rel.startsWith("..")) return answer(404);
    readFile(join(served, rel)).then((body) => answer(200, body), () => answer(404));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  atFileEnd(close);
  let n = 0;
  const home = join(dir, "helm-home");
  async function write(files: Record<string, string>): Promise<string> {
    const chart = join(dir, `src-${n++}`, "web");
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(chart, path)), { recursive: true });
      await writeFile(join(chart, path), text);
    }
    return chart;
  }
  async function index(): Promise<void> {
    const r = await helm(["repo", "index", served], home);
    if (r.code !== 0) throw new Error(`helm repo index: ${r.stderr}`);
  }
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/charts`,
    requests,
    async publish(files, version, appVersion) {
      const pkg = await helm(["package", await write(files), "-d", served, "--version", version, ...(appVersion ? ["--app-version", appVersion] : [])], home);
      if (pkg.code !== 0) throw new Error(`helm package: ${pkg.stderr}`);
      await index();
    },
    async publishUnchecked(files, version) {
      const chart = await write(files);
      execFileSync("tar", ["-czf", join(served, `web-${version}.tgz`), "-C", dirname(chart), "web"]);
      await index();
    },
    close,
  };
}
