import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceFetchError } from "./errors.js";
import { withCredentials } from "./git-env.js";
import { createMirrorCache } from "./mirror-cache.js";
import { resolveRevision } from "./resolve.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-creds-"));
const PASSWORD = "s3cret-token-123";
const AUTH = "Basic " + Buffer.from(`bob:${PASSWORD}`).toString("base64");
const logLines: string[] = [];
const logger = pino({ level: "debug" }, { write: (line: string) => void logLines.push(line) });

// Smart HTTP via git http-backend (CGI), behind Basic auth.
// /moved/REPO answers a redirect to the same server by another name (a host the hub was not told about).
const seenHosts: string[] = [];
function gitHttp(req: IncomingMessage, res: ServerResponse): void {
  seenHosts.push(req.headers.host ?? "");
  if (req.url!.startsWith("/moved/")) {
    res.writeHead(301, { location: `http://localhost:${(server.address() as { port: number }).port}${req.url!.slice("/moved".length)}` }).end();
    return;
  }
  if (req.headers.authorization !== AUTH) {
    res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end();
    return;
  }
  const url = new URL(req.url!, "http://x");
  const cgi = spawn("git", ["http-backend"], {
    env: {
      ...process.env, GIT_PROJECT_ROOT: join(tmp, "repos"), GIT_HTTP_EXPORT_ALL: "1",
      REQUEST_METHOD: req.method!, PATH_INFO: url.pathname, QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers["content-type"] ?? "", GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
    },
  });
  req.pipe(cgi.stdin);
  const chunks: Buffer[] = [];
  cgi.stdout.on("data", (c: Buffer) => chunks.push(c));
  cgi.on("close", () => {
    const out = Buffer.concat(chunks);
    const split = out.indexOf("\r\n\r\n");
    const headers = out.subarray(0, split).toString().split("\r\n").map((l) => l.split(/:\s*/, 2) as [string, string]);
    const status = Number(headers.find(([k]) => k.toLowerCase() === "status")?.[1]?.slice(0, 3) ?? 200);
    res.writeHead(status, Object.fromEntries(headers.filter(([k]) => k.toLowerCase() !== "status")));
    res.end(out.subarray(split + 4));
  });
}

let server: Server;
let base = "";

beforeAll(async () => {
  const repo = join(tmp, "repos", "fleet");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
  execFileSync("git", ["init", "-q", "-b", "main", repo]);
  git("-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-q", "--allow-empty", "-m", "init");
  server = createServer(gitHttp);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

describe("https credentials", () => {
  const cache = createMirrorCache({ dir: join(tmp, "mirrors"), logger });

  it("sends a token as a header, never persisting it in the mirror or logs", async () => {
    const mirror = await cache.fetch("fleet", `${base}/fleet`, { kind: "basic", username: "bob", password: PASSWORD });
    expect((await resolveRevision(mirror, { ref: { kind: "branch", branch: "main" } })).message).toBe("init");
    expect(readFileSync(join(mirror.dir, "config"), "utf8")).not.toContain(PASSWORD);
    expect(logLines.join("")).toContain("source fetched");
    expect(logLines.join("")).not.toContain(PASSWORD);
  });

  it("takes credentials out of a URL and keys the mirror by the clean URL", async () => {
    const withUserinfo = await cache.fetch("fleet", `${base.replace("//", `//bob:${PASSWORD}@`)}/fleet`);
    expect(withUserinfo.url).toBe(`${base}/fleet`);
    expect(readFileSync(join(withUserinfo.dir, "config"), "utf8")).not.toContain(PASSWORD);
  });

  it("fails without prompting on bad credentials, redacting them", async () => {
    const err = await createMirrorCache({ dir: join(tmp, "other"), logger })
      .fetch("fleet", `${base.replace("//", "//bob:wrong-pass@")}/fleet`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceFetchError);
    expect((err as Error).message).not.toContain("wrong-pass");
    expect((err as SourceFetchError).url).toBe(`${base}/fleet`);
  });
});

describe("redirects", () => {
  it("are refused: nothing is asked of the host they point to", async () => {
    seenHosts.length = 0;
    const err = await createMirrorCache({ dir: join(tmp, "r"), logger })
      .fetch("fleet", `${base}/moved/fleet`, { kind: "basic", username: "bob", password: PASSWORD }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceFetchError);
    expect((err as Error).message).toContain("returned error: 301: the hub follows no redirects, set spec.url to the repository's final URL");
    expect(seenHosts.length).toBeGreaterThan(0);
    expect(seenHosts.filter((h) => !h.startsWith("127.0.0.1:"))).toEqual([]);
  });
});

describe("a host name checked by --source-hosts", () => {
  it("is fetched from the checked addresses, not from what it resolves to later", async () => {
    seenHosts.length = 0;
    // git.fleet.test has no DNS entry: only the pinned address can reach the server.
    const url = base.replace("127.0.0.1", "git.fleet.test");
    const mirror = await createMirrorCache({ dir: join(tmp, "pinned"), logger })
      .fetch("fleet", `${url}/fleet`, { kind: "basic", username: "bob", password: PASSWORD }, { host: "git.fleet.test", addresses: ["127.0.0.1"] });
    expect((await resolveRevision(mirror, { ref: { kind: "branch", branch: "main" } })).message).toBe("init");
    expect(new Set(seenHosts)).toEqual(new Set([url.slice("http://".length)]));
  });
});

describe("ssh credentials", () => {
  it("writes the key to a 0600 file for the duration of the call only", async () => {
    expect.assertions(5); // the four inside run only if withCredentials calls back
    let keyFile = "";
    await withCredentials({ kind: "ssh", privateKey: "KEY" }, "/hosts", async (env) => {
      keyFile = /-i '([^']+)'/.exec(env.GIT_SSH_COMMAND!)![1]!;
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(keyFile, "utf8")).toBe("KEY\n");
      expect(env.GIT_SSH_COMMAND).toContain("StrictHostKeyChecking=accept-new");
      expect(env.GIT_SSH_COMMAND).toContain("UserKnownHostsFile='/hosts'");
    });
    expect(() => statSync(keyFile)).toThrow();
  });

  it("pins ssh to a checked address through the environment, the host key checked under the name", async () => {
    expect.assertions(4);
    for (const creds of [undefined, { kind: "ssh" as const, privateKey: "KEY" }]) {
      await withCredentials(creds, "/hosts", async (env) => {
        expect(env.GIT_SSH_COMMAND).toContain(`-o "HostName=$GITFLEET_SSH_ADDRESS" -o "HostKeyAlias=$GITFLEET_SSH_HOST"`);
        expect(env).toMatchObject({ GITFLEET_SSH_ADDRESS: "10.1.2.3", GITFLEET_SSH_HOST: "[git.corp.example]:2222" });
      }, { host: "[git.corp.example]:2222", address: "10.1.2.3" });
    }
  });

  it("pins host keys when known_hosts is given", async () => {
    expect.assertions(2);
    await withCredentials({ kind: "ssh", privateKey: "KEY\n", knownHosts: "host ssh-ed25519 AAAA" }, "/hosts", async (env) => {
      expect(env.GIT_SSH_COMMAND).toContain("StrictHostKeyChecking=yes");
      expect(env.GIT_SSH_COMMAND).not.toContain("'/hosts'");
    });
  });
});
