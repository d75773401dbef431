import { mkdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../lib/processes.js";
import { appState, appYaml, BACKENDS, openArena, sourceYaml, type Arena } from "./fixture.js";
import { githubPush } from "../../lib/clusters.js";
import { showSource } from "../../lib/admin.js";
import { WEBHOOK_SECRET } from "./fixture.js";

const cm = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {value: ${value}}\n`;
const which = (bin: string) => execFileSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" }).trim();

// "The commit is broken" waits for a new commit; "try again" (Git down, kustomize missing) is
// retried with backoff, not left until the next poll (an hour) or the next commit.
describe.concurrent.each(BACKENDS)("transient failures on $name", (backend) => {
  let arena: Arena;
  let bin: string;
  const delivered = (app: string, sha: string) =>
    waitFor(`${app} to be delivered at ${sha.slice(0, 12)} without another commit or webhook`, async () => {
      const a = await appState(arena.hub, app);
      return a?.revision === sha && !a.error ? a : undefined;
    }, 60_000);

  beforeAll(async () => {
    // The hub finds git, tar and unshare on its PATH, and no kustomize or kubectl (yet).
    const dir = join(tmpdir(), `gitfleet-adv-bin-${backend.name}-${process.pid}-${Date.now()}`);
    mkdirSync(dir);
    for (const b of ["git", "tar", "unshare", "sh"]) symlinkSync(which(b), join(dir, b));
    bin = dir;
    arena = await openArena("transient", backend, { "plain/cm.yaml": cm("one"), "kust/kustomization.yaml": "resources: [cm.yaml]\n", "kust/cm.yaml": cm("k") }, [], { PATH: bin });
    await arena.apply([sourceYaml(arena), appYaml("plain", "plain", "prod"), appYaml("kust", "kust", "prod")].join("---\n"));
  });
  afterAll(async () => {
    await arena?.close();
    if (bin) rmSync(bin, { recursive: true, force: true });
  });

  it.sequential("retries a render that failed for a reason that is not the commit's", async () => {
    const head = arena.repo.git("rev-parse", "HEAD");
    const failed = await waitFor("kust to fail for want of kustomize", async () => (await appState(arena.hub, "kust"))?.error);
    expect(failed).toMatch(/kustomize/);
    symlinkSync(which("kubectl"), join(bin, "kubectl"));
    await delivered("kust", head);
  });

  it.sequential("retries a fetch that failed after a webhook", async () => {
    const before = arena.repo.git("rev-parse", "HEAD");
    await delivered("plain", before);
    const sha = arena.repo.commit({ "plain/cm.yaml": cm("two") }, "two");
    renameSync(arena.repo.dir, `${arena.repo.dir}.away`);
    try {
      expect(await githubPush(arena.hub.http, "apps", WEBHOOK_SECRET)).toBe(202);
      await waitFor("the fetch to fail", async () => (await showSource(arena.hub, "apps")).error);
    } finally {
      renameSync(`${arena.repo.dir}.away`, arena.repo.dir);
    }
    await delivered("plain", sha);
  });
});
