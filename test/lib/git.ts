import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort, killGroup, ROOT, spawnInGroup, waitFor } from "./processes.js";
import { atFileEnd } from "./cleanup.js";

export const SAMPLE_REPO = join(ROOT, "test/fixtures/sample-repo");

export interface TestRepo {
  dir: string;
  git(...args: string[]): string;
  /** Writes (or, with null, deletes) files and commits them; returns the new SHA. */
  commit(files: Record<string, string | null>, message: string): string;
}

/** A Git working repository on disk, seeded from a fixture directory. */
export function createRepo(dir: string, seed?: string): TestRepo {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Fleet Tester");
  git("config", "user.email", "tester@gitfleet.test");
  const repo: TestRepo = {
    dir,
    git,
    commit(files, message) {
      for (const [path, text] of Object.entries(files)) {
        if (text === null) rmSync(join(dir, path), { force: true });
        else {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), text);
        }
      }
      git("add", "-A");
      git("commit", "-q", "--allow-empty", "-m", message);
      return git("rev-parse", "HEAD");
    },
  };
  if (seed) {
    cpSync(seed, dir, { recursive: true });
    repo.commit({}, "initial import");
  }
  return repo;
}

/**
 * Serves every repository under base over git:// on loopback until stop() or the end of the test file; waits until
 * `probe` answers. The daemon and the children it forks per connection are one process group.
 */
export async function startGitDaemon(base: string, probe: string): Promise<{ url(repo: string): string; stop(): void }> {
  const port = await freePort();
  const child = spawnInGroup("git", ["daemon", "--reuseaddr", "--listen=127.0.0.1", `--port=${port}`, `--base-path=${base}`, "--export-all", base], {});
  child.stdin!.end();
  child.stdout!.resume();
  child.stderr!.resume();
  const stop = () => killGroup(child, "SIGKILL");
  atFileEnd(stop);
  const url = (repo: string) => `git://127.0.0.1:${port}/${repo}`;
  try {
    await waitFor("git daemon to serve", () => {
      execFileSync("git", ["ls-remote", url(probe)], { stdio: "ignore", timeout: 10_000 });
      return true;
    }, 30_000, 100);
  } catch (err) {
    stop();
    throw err;
  }
  return { url, stop };
}

/** The sample repo's web/base/deployment.yaml with another nginx tag: a commit that rolls out. */
export function webDeployment(tag: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "nginx:${tag}", ports: [{containerPort: 80}]}
`;
}
