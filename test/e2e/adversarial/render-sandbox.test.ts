import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../lib/processes.js";
import { createRepo } from "../../lib/git.js";
import { appState, appYaml, BACKENDS, openArena, renderError, sourceYaml, type Arena } from "./fixture.js";

const cm = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {value: ${value}}\n`;
const kustomization = (...resources: string[]) => `resources:\n${resources.map((r) => `- ${r}`).join("\n")}\n`;

// Rendering escapes the repository (Argo CD CVE-2022-24904, Flux CVE-2022-24877): every way an App
// can reach files that are not its own repository's at its revision, or the network, is refused.
describe.concurrent.each(BACKENDS)("render sandbox on $name", (backend) => {
  let arena: Arena;
  let host: string;
  let remote: Server;
  let remoteHits = 0;
  let remoteUrl: string;
  /** The error of an App at HEAD; it must not name hub paths or carry what it tried to reach. */
  const refused = async (app: string) => {
    const error = await renderError(arena, app);
    for (const leak of [arena.dir, "host-secret", "other-source-secret", "remote-secret"]) expect(error).not.toContain(leak);
    return error;
  };

  beforeAll(async () => {
    remote = createServer((_req, res) => {
      remoteHits++;
      res.end(cm("remote", "remote-secret"));
    });
    await new Promise<void>((r) => remote.listen(0, "127.0.0.1", r));
    remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/cm.yaml`;
    arena = await openArena("sandbox", backend, { "README.md": "apps\n" });
    // Files on the hub machine, outside every repository: a kustomization, so a build would take them.
    host = join(arena.dir, "host");
    mkdirSync(host);
    writeFileSync(join(host, "kustomization.yaml"), kustomization("cm.yaml"));
    writeFileSync(join(host, "cm.yaml"), cm("host", "host-secret"));
    // Another Source's repository, checked out on the same hub.
    const other = createRepo(join(arena.dir, "git", "other"));
    const otherSha = other.commit({ "private/kustomization.yaml": kustomization("cm.yaml"), "private/cm.yaml": cm("other", "other-source-secret") }, "private");
    const otherSource = sourceYaml({ repoUrl: arena.repoUrl.replace(/apps$/, "other") }).replace("name: apps", "name: other");
    await arena.apply(`${otherSource}---\n${appYaml("other", "private", "none").replace("source: apps", "source: other")}`);
    await waitFor("the other Source's App to render", async () => (await appState(arena.hub, "other"))?.revision === otherSha);

    const { dir } = arena.repo;
    mkdirSync(join(dir, "link-base"));
    symlinkSync(host, join(dir, "link-base", "outside"));
    symlinkSync(host, join(dir, "via-link"));
    mkdirSync(join(dir, "gen"));
    symlinkSync("/etc/hostname", join(dir, "gen", "hostname"));
    arena.repo.commit({
      "link-base/kustomization.yaml": kustomization("outside"),
      // Where other trees were (trees/SHA) and are (trees/SOURCE/SHA).
      "sibling/kustomization.yaml": kustomization(`../../${otherSha}/private`, `../../../other/${otherSha}/private`),
      "absolute/kustomization.yaml": kustomization(host),
      "gen/kustomization.yaml": "configMapGenerator:\n- name: leak\n  files: [hostname]\n",
      "remote/kustomization.yaml": kustomization(remoteUrl),
      "git-remote/kustomization.yaml": kustomization("https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v3.3.1"),
    }, "attacks");
    const apps = ["link-base", "sibling", "absolute", "via-link", "gen", "remote", "git-remote"].map((p) => appYaml(p, p, "prod"));
    await arena.apply([sourceYaml(arena), ...apps].join("---\n"));
  });
  afterAll(async () => {
    remote?.close();
    await arena?.close();
  });

  it.sequential("refuses an in-repo symlink to a directory outside the checkout", async () => {
    expect(await refused("link-base")).toMatch(/link-base\/outside.*leaves the repository/);
  });

  it.sequential("refuses a kustomize base reaching another Source's checked-out tree or an absolute path", async () => {
    expect(await refused("sibling")).toMatch(/sibling\/kustomization.yaml.*leaves the repository/);
    expect(await refused("absolute")).toMatch(/absolute\/kustomization.yaml.*is an absolute path/);
  });

  it.sequential("refuses an App path through a symlink, and generator files through one", async () => {
    expect(await refused("via-link")).toMatch(/via-link.*symlink that leaves the repository/);
    expect(await refused("gen")).toMatch(/gen\/hostname.*leaves the repository/);
  });

  it.sequential("refuses remote resources without fetching them", async () => {
    expect(await refused("remote")).toMatch(/remote resource .*127\.0\.0\.1.* refused/);
    expect(await refused("git-remote")).toMatch(/remote resource .*github\.com.* refused/);
    expect(remoteHits).toBe(0);
  });

  it.sequential("fetches remote resources a Source allows explicitly", async () => {
    await arena.apply(sourceYaml(arena, `, allowRemoteResources: ["${remoteUrl.replace(/cm\.yaml$/, "")}"]`));
    await waitFor("the allowed remote resource to render", async () => {
      const a = await appState(arena.hub, "remote");
      return a && !a.error && a.revision === arena.repo.git("rev-parse", "HEAD");
    }, 30_000);
    expect(remoteHits).toBeGreaterThan(0);
    // The allow-list names URL prefixes: another remote stays refused.
    expect(await refused("git-remote")).toMatch(/remote resource .*github\.com.* refused/);
  });
});
