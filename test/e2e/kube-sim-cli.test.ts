import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { kubectlRunner } from "../kube-sim/test-helpers.js";
import { freePort, ROOT, start, waitFor } from "../lib/processes.js";
import { tempDir } from "../lib/fleet.js";

it("npm run kube-sim serves a cluster that kubectl uses through the kubeconfig it writes", async () => {
  const dir = await tempDir("kube-sim-cli");
  const kubeconfig = join(dir, "kubeconfig");
  const port = await freePort();
  const sim = start(`${ROOT}test/dist/kube-sim/main.js`, ["--port", String(port), "--kubeconfig", kubeconfig]);
  await waitFor("kube-sim to write its kubeconfig", () => existsSync(kubeconfig) && sim.output().includes("listening"));
  const kubectl = kubectlRunner(kubeconfig, join(dir, "cache"));
  const applied = await kubectl(["apply", "--server-side", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello, namespace: default}\ndata: {a: b}\n");
  expect(applied.stderr).toBe("");
  expect((await kubectl(["get", "configmap", "hello", "-o", "jsonpath={.data.a}"])).stdout).toBe("b");
  expect(sim.output()).toContain(`127.0.0.1:${port}`);
});
