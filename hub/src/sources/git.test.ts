import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkout } from "./checkout.js";
import { RevisionNotFoundError, SourceFetchError } from "./errors.js";
import { createMirrorCache, splitCredentials } from "./mirror-cache.js";
import { resolveRevision } from "./resolve.js";
import type { RevisionSelector } from "./spec.js";
import { testRepo } from "./test-repo.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-sources-"));
const logger = pino({ level: "silent" });

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    }).on("error", reject);
  });

const repo = testRepo(join(tmp, "repos", "fleet"));
const shas: Record<string, string> = {};
const cache = createMirrorCache({ dir: join(tmp, "mirrors"), logger });
const sel = (ref: RevisionSelector) => ({ ref });

beforeAll(() => {
  shas.first = repo.commit({ "apps/web/deploy.yaml": "kind: A\n" }, "first");
  repo.git("tag", "v1.0.0");
  shas.second = repo.commit({ "apps/web/deploy.yaml": "kind: B\n" }, "second\n\nwith a body");
  repo.git("tag", "-a", "v1.2.0", "-m", "annotated");
  repo.git("tag", "not-semver");
  shas.third = repo.commit({ "apps/web/svc.yaml": "kind: C\n" }, "third");
  repo.git("tag", "v2.0.0");
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("mirror cache over file://", () => {
  it("clones once, resolves branches, tags, semver ranges and commits", async () => {
    const mirror = await cache.fetch("fleet", repo.url);
    expect(existsSync(join(mirror.dir, "HEAD"))).toBe(true);
    const main = await resolveRevision(mirror, sel({ kind: "branch", branch: "main" }));
    expect(main).toMatchObject({ sha: shas.third, ref: "refs/heads/main", author: "Ada <ada@example.com>", message: "third" });
    expect(main.committedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(main.committedAt.getTime())).toBe(false);
    const annotated = await resolveRevision(mirror, sel({ kind: "tag", tag: "v1.2.0" }));
    expect(annotated).toMatchObject({ sha: shas.second, ref: "refs/tags/v1.2.0", message: "second\n\nwith a body" });
    expect((await resolveRevision(mirror, sel({ kind: "semver", range: "^1.0.0" }))).ref).toBe("refs/tags/v1.2.0");
    expect((await resolveRevision(mirror, sel({ kind: "semver", range: ">=1.0.0 <1.1.0" }))).sha).toBe(shas.first);
    expect((await resolveRevision(mirror, sel({ kind: "commit", commit: shas.first!.slice(0, 8) }))).sha).toBe(shas.first);
  });

  it("raises RevisionNotFoundError naming the ref or range", async () => {
    const mirror = await cache.fetch("fleet", repo.url);
    const cases: [RevisionSelector, RegExp][] = [
      [{ kind: "branch", branch: "nope" }, /branch "nope"/],
      [{ kind: "tag", tag: "v9.9.9" }, /tag "v9.9.9"/],
      [{ kind: "semver", range: "^3.0.0" }, /semver range "\^3.0.0"/],
      [{ kind: "commit", commit: "deadbeefdeadbeef" }, /commit "deadbeefdeadbeef"/],
    ];
    for (const [ref, msg] of cases) {
      const err = await resolveRevision(mirror, sel(ref)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RevisionNotFoundError);
      expect((err as Error).message).toMatch(msg);
    }
  });

  it("fetches incrementally: a new commit and a moved tag are seen", async () => {
    const before = await cache.fetch("fleet", repo.url);
    const sha = repo.commit({ "apps/web/new.yaml": "kind: D\n" }, "fourth");
    repo.git("tag", "-f", "v2.0.0");
    const after = await cache.fetch("fleet", repo.url);
    expect(after.dir).toBe(before.dir);
    expect((await resolveRevision(after, sel({ kind: "branch", branch: "main" }))).sha).toBe(sha);
    expect((await resolveRevision(after, sel({ kind: "tag", tag: "v2.0.0" }))).sha).toBe(sha);
    repo.git("reset", "-q", "--hard", shas.third!);
    repo.git("tag", "-f", "v2.0.0");
  });

  it("serialises concurrent fetches of one repository", async () => {
    const dirs = await Promise.all([1, 2, 3].map(() => cache.fetch("fleet", repo.url)));
    expect(new Set(dirs.map((m) => m.dir)).size).toBe(1);
  });

  it("raises SourceFetchError with the URL's credentials redacted", async () => {
    const err = await cache.fetch("gone", `file://${tmp}/repos/missing`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceFetchError);
    expect((err as Error).message).toMatch(/fetching source "gone" from file:\/\/.*missing/);
    expect((err as Error).message).not.toContain(join(tmp, "mirrors"));
    const https = await cache.fetch("secret", "https://bob:hunter2@127.0.0.1:1/x.git").catch((e: unknown) => e);
    expect(https).toBeInstanceOf(SourceFetchError);
    expect((https as Error).message).not.toContain("hunter2");
    expect(readdirSync(join(tmp, "mirrors")).some((d) => d.includes(".tmp-"))).toBe(false);
  });
});

describe("splitCredentials", () => {
  it("moves https userinfo out of the URL", () => {
    expect(splitCredentials("https://bob:s3cret@git.example.com/a.git")).toEqual({
      url: "https://git.example.com/a.git",
      fromUrl: { kind: "basic", username: "bob", password: "s3cret" },
    });
    expect(splitCredentials("https://tok@git.example.com/a.git").fromUrl).toEqual({ kind: "basic", password: "tok" });
    expect(splitCredentials("ssh://git@host/a.git")).toEqual({ url: "ssh://git@host/a.git" });
  });
});

describe("checkout", () => {
  it("materialises a revision's tree once per SHA", async () => {
    const mirror = await cache.fetch("fleet", repo.url);
    const trees = join(tmp, "trees");
    const [a, b] = await Promise.all([checkout(mirror, shas.first!, trees), checkout(mirror, shas.first!, trees)]);
    expect(a).toBe(join(trees, shas.first!));
    expect(b).toBe(a);
    expect(readFileSync(join(a, "apps/web/deploy.yaml"), "utf8")).toBe("kind: A\n");
    expect(existsSync(join(a, "apps/web/svc.yaml"))).toBe(false);
    expect(readdirSync(trees)).toEqual([shas.first]);
    await expect(checkout(mirror, "abc", trees)).rejects.toThrow(/40-digit/);
    await expect(checkout(mirror, "0".repeat(40), trees)).rejects.toThrow(/checking out/);
  });
});

describe("mirror cache over git://", () => {
  let daemon: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    const base = join(tmp, "repos");
    daemon = spawn("git", ["daemon", "--reuseaddr", "--listen=127.0.0.1", `--port=${port}`, `--base-path=${base}`, "--export-all", base], { stdio: "ignore" });
    // Poll until the daemon serves, with a deadline, instead of sleeping.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        execFileSync("git", ["ls-remote", `git://127.0.0.1:${port}/fleet`], { stdio: "ignore" });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });

  afterAll(() => {
    daemon?.kill();
  });

  it("clones and resolves over the git protocol", async () => {
    const mirror = await cache.fetch("fleet-daemon", `git://127.0.0.1:${port}/fleet`);
    expect((await resolveRevision(mirror, sel({ kind: "tag", tag: "v1.0.0" }))).sha).toBe(shas.first);
    const sha = repo.commit({ "apps/web/daemon.yaml": "kind: E\n" }, "over daemon");
    const again = await cache.fetch("fleet-daemon", `git://127.0.0.1:${port}/fleet`);
    expect((await resolveRevision(again, sel({ kind: "branch", branch: "main" }))).sha).toBe(sha);
  });

  it("connects to the address --source-hosts checked for the name, not to what the name resolves to", async () => {
    // git.fleet.test has no DNS entry: only the pinned address reaches the daemon.
    const pinned = createMirrorCache({ dir: join(tmp, "pinned-git"), logger });
    // Nothing listens on 127.0.0.9: the next checked address is tried, as git tries a name's addresses.
    const mirror = await pinned.fetch("fleet-pinned", `git://git.fleet.test:${port}/fleet`, undefined, { host: "git.fleet.test", addresses: ["127.0.0.9", "127.0.0.1"] });
    expect((await resolveRevision(mirror, sel({ kind: "tag", tag: "v1.0.0" }))).sha).toBe(shas.first);
    // The mirror keeps the URL as written: the address is used for the connection only.
    expect(execFileSync("git", ["config", "remote.origin.url"], { cwd: mirror.dir, encoding: "utf8" }).trim()).toBe(`git://git.fleet.test:${port}/fleet`);
  });
});

describe("mirror cache over ssh", () => {
  it("connects to the address --source-hosts checked for the name, not to what the name resolves to", async () => {
    // No sshd here: a TCP server that records what arrives shows where ssh connected.
    const greetings: string[] = [];
    const server = createServer((socket) => socket.once("data", (d) => (greetings.push(d.toString("latin1").split("\r\n")[0]!), socket.destroy())));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as { port: number };
      const pinned = createMirrorCache({ dir: join(tmp, "pinned-ssh"), logger, timeoutMs: 20_000 });
      const url = `ssh://git@git.fleet.test:${port}/fleet`;
      await expect(pinned.fetch("fleet-ssh", url, { kind: "ssh", privateKey: "KEY" }, { host: "git.fleet.test", addresses: ["127.0.0.1"] })).rejects.toThrow(SourceFetchError);
      expect(greetings).toHaveLength(1);
      expect(greetings[0]).toMatch(/^SSH-2\.0-/);
    } finally {
      server.close();
    }
  });

  // A real sshd where the machine has one (privilege separation needs /run/sshd, or root to make it).
  const sshd = "/usr/sbin/sshd";
  const canRunSshd = existsSync(sshd) && (existsSync("/run/sshd") || process.getuid?.() === 0);
  it.skipIf(!canRunSshd)("checks the host key under the name (and its port), not under the address it connects to", async () => {
    const dir = join(tmp, "sshd");
    mkdirSync(dir);
    if (!existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
    for (const key of ["host", "user"]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, key)]);
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "user.pub")));
    const port = await freePort();
    writeFileSync(join(dir, "sshd_config"), [`Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${dir}/host`, `AuthorizedKeysFile ${dir}/authorized_keys`,
      "PasswordAuthentication no", "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no", `PidFile ${dir}/sshd.pid`].join("\n") + "\n");
    const daemon = spawn(sshd, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: "ignore" });
    try {
      await waitForPort(port);
      const hostKey = readFileSync(join(dir, "host.pub"), "utf8").split(" ").slice(0, 2).join(" ");
      const fetchWith = (knownHosts: string, name: string) =>
        createMirrorCache({ dir: join(dir, name), logger, timeoutMs: 20_000 }).fetch("fleet-sshd", `ssh://${userInfo().username}@git.fleet.test:${port}${tmp}/repos/fleet`,
          { kind: "ssh", privateKey: readFileSync(join(dir, "user"), "utf8"), knownHosts }, { host: "git.fleet.test", addresses: ["127.0.0.9", "127.0.0.1"] });
      const mirror = await fetchWith(`[git.fleet.test]:${port} ${hostKey}\n`, "by-name");
      expect((await resolveRevision(mirror, sel({ kind: "tag", tag: "v1.0.0" }))).sha).toBe(shas.first);
      await expect(fetchWith(`[127.0.0.1]:${port} ${hostKey}\n`, "by-address")).rejects.toThrow(/No ED25519 host key is known for \[git\.fleet\.test\]:\d+/);
    } finally {
      daemon.kill();
    }
  });
});

/** Resolves once something accepts connections on 127.0.0.1:port (deadline 10 s). */
async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => connect(port, "127.0.0.1").once("connect", function (this: Socket) { this.destroy(); resolve(true); }).once("error", () => resolve(false)));
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
