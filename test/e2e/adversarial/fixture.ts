import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { waitFor } from "../../lib/processes.js";
import { BACKENDS, cliOk, removeDir, startHub, tempDir, type HubProc } from "../../lib/fleet.js";
import { createRepo, startGitDaemon, type TestRepo } from "../../lib/git.js";
import { githubPush } from "../../lib/clusters.js";
import { listApps, type AppJson } from "../../lib/admin.js";
import { appYaml as app, sourceYaml as source } from "../../lib/definitions.js";

/** Every adversarial suite runs on both stores, side by side (describe.concurrent.each, its steps it.sequential). */
export { BACKENDS };

export const WEBHOOK_SECRET = "adversary-secret";
export const HUB_ENV = { GITFLEET_HEARTBEAT_INTERVAL_S: "1", GITFLEET_RECONNECT_MAX_MS: "1000" };

/** A hub, one Git repo ("apps") served on loopback, and a bootstrap token. */
export interface Arena {
  dir: string;
  hub: HubProc;
  repo: TestRepo;
  token: string;
  repoUrl: string;
  /** Applies definitions (YAML text) with the CLI. */
  apply(yaml: string): Promise<string>;
  /** Commits files and sends a signed push webhook for Source "apps". */
  push(files: Record<string, string | null>, message: string): Promise<string>;
  close(): Promise<void>;
}

export async function openArena(prefix: string, backend: (typeof BACKENDS)[number], seed: Record<string, string>, hubArgs: string[] = [], hubEnv: Record<string, string> = {}): Promise<Arena> {
  const dir = await tempDir(`adv-${prefix}-${backend.name}`);
  const repo = createRepo(join(dir, "git", "apps"));
  repo.commit(seed, "seed");
  const daemon = await startGitDaemon(join(dir, "git"), "apps");
  const hub = await startHub(join(dir, "hub"), [...backend.args(), ...hubArgs], { ...HUB_ENV, ...hubEnv });
  const token = (await cliOk(hub, ["token", "create"])).trim();
  let n = 0;
  return {
    dir,
    hub,
    repo,
    token,
    repoUrl: daemon.url("apps"),
    async apply(yaml) {
      const file = join(dir, `definitions-${n++}.yaml`);
      await writeFile(file, yaml);
      return cliOk(hub, ["apply", "-f", file]);
    },
    async push(files, message) {
      const sha = repo.commit(files, message);
      expect(await githubPush(hub.http, "apps", WEBHOOK_SECRET)).toBe(202);
      return sha;
    },
    async close() {
      // Only this arena's hub: the other store's suite runs alongside (whatever is left stops when the file ends).
      await hub.stop();
      daemon.stop();
      await removeDir(dir);
    },
  };
}

/** The Source "apps" for an arena, plus extra spec fields. */
export function sourceYaml(arena: Pick<Arena, "repoUrl">, extra = ""): string {
  return source(arena.repoUrl, `branch: main, interval: 1h, webhookSecret: ${WEBHOOK_SECRET}${extra}`);
}

/** An App rendering `path` of Source "apps" to clusters labelled env=VALUE. */
export function appYaml(name: string, path: string, env: string, extra = ""): string {
  return app(name, path, `  targets:
  - name: ${env}
    clusterSelector: {matchLabels: {env: ${env}}}${extra}
`);
}

export type { AppJson } from "../../lib/admin.js";

/** Read through the admin API in the test process: suites poll it. */
export async function appState(hub: HubProc, name: string): Promise<AppJson | undefined> {
  return (await listApps(hub)).find((a) => a.name === name);
}

/** Waits until the App's last render at the current HEAD failed, and returns the error. */
export async function renderError(arena: Arena, app: string): Promise<string> {
  const head = arena.repo.git("rev-parse", "HEAD");
  const a = await waitFor(`app ${app} to report a render error at ${head.slice(0, 12)}`, async () => {
    const s = await appState(arena.hub, app);
    return s?.error && s.errorRevision === head ? s : undefined;
  }, 30_000);
  return a.error!;
}
