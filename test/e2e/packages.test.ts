import { execFileSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresUrl, removeDir, startHub, tempDir, waitClusterState } from "../lib/fleet.js";
import { installPackedTarballs, shippedPackages } from "../lib/packages.js";
import { ROOT, run, start, stopAll } from "../lib/processes.js";
import { startSimCluster, type SimCluster } from "../lib/sim-cluster.js";

const packages = shippedPackages();
const bins = packages.flatMap((p) => Object.keys(p.bin).map((bin) => ({ bin, pkg: p })));

describe("packages installed from npm pack tarballs", () => {
  let dir: string;
  let app: string;
  let cluster: SimCluster;
  const bin = (name: string) => join(app, "node_modules", ".bin", name);

  beforeAll(async () => {
    dir = await tempDir("packages");
    app = await installPackedTarballs(dir);
    cluster = await startSimCluster(dir);
  }, 600_000);
  afterAll(async () => {
    await stopAll();
    await cluster?.sim.close();
    await removeDir(dir);
  });

  it("ships the hub, the agent, the CLI and what they share", () => {
    expect(bins.map((b) => b.bin)).toEqual(expect.arrayContaining(["gitfleet-hub", "gitfleet-agent", "gitfleet"]));
    expect(packages.map((p) => p.name)).toContain("@gitfleet/shared");
  });

  it("installs copies from the tarballs, nothing linked to the source tree", async () => {
    const lock = JSON.parse(await readFile(join(app, "package-lock.json"), "utf8")) as { packages: Record<string, { resolved?: string }> };
    for (const p of packages) {
      const installed = join(app, "node_modules", p.name);
      expect(realpathSync(installed).startsWith(ROOT)).toBe(false);
      // Never a same-named package from the registry: that would be someone else's code.
      expect(lock.packages[`node_modules/${p.name}`]?.resolved).toMatch(/^file:.*\.tgz$/);
    }
  });

  it.each(bins)("$bin --help and --version run from the install", async ({ bin: name, pkg }) => {
    const help = await run(bin(name), ["--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^usage: ${name} `));
    const version = await run(bin(name), ["--version"]);
    expect(version.code, version.stderr).toBe(0);
    // The packed build names the commit stamped when it was built (not HEAD now: a commit after the build moves HEAD).
    const { commit } = JSON.parse(await readFile(join(ROOT, pkg.dir, "dist", "build-info.json"), "utf8")) as { commit: string };
    expect(commit).toMatch(/^[0-9a-f]{12}(-dirty)?$/);
    expect(execFileSync("git", ["-C", ROOT, "cat-file", "-t", commit.replace(/-dirty$/, "")], { encoding: "utf8" }).trim()).toBe("commit");
    expect(version.stdout.trim()).toBe(`${name} ${pkg.version} (commit ${commit})`);
  });

  it("the installed hub, CLI and agent run together (PostgreSQL, a kube-sim cluster)", async () => {
    const data = join(dir, "hub");
    const { grpc } = await startHub(data, ["--database-url", freshPostgresUrl()], {}, undefined, bin("gitfleet-hub"));
    const token = await run(bin("gitfleet"), ["--data-dir", data, "token", "create", "--labels", "from=tarball", "--max-uses", "1"]);
    expect(token.code, token.stderr).toBe(0);
    start(bin("gitfleet-agent"), ["--hub", grpc, "--name", "packaged", "--token", token.stdout.trim(), "--kubeconfig", cluster.kubeconfig, "--state-dir", join(dir, "agent")]);
    await waitClusterState({ dataDir: data }, "packaged", "Connected", 60_000);
    const list = await run(bin("gitfleet"), ["--data-dir", data, "cluster", "list", "-o", "json"]);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: "packaged", labels: { from: "tarball" }, agentVersion: packages.find((p) => p.bin["gitfleet-agent"])!.version })]);
  });
});
