import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { checkKustomization } from "./kustomize-check.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-kcheck-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function repo(files: Record<string, string>): string {
  const root = join(tmp, `r${Math.random().toString(16).slice(2)}`);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

// Bases are checked as they are met (depth first), then the referencing file's other fields.
it("follows bases and checks every field kustomize loads from disk or the network", () => {
  const root = repo({
    "app/kustomization.yaml": [
      "resources: [../base, cm.yaml]",
      "patches: [{path: ../../outside.yaml}, {patch: '[]'}]",
      "patchesStrategicMerge:\n- |\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}",
      "configMapGenerator: [{name: g, files: [key=https://example.com/x]}]",
    ].join("\n") + "\n",
    "app/cm.yaml": "",
    "base/kustomization.yaml": "resources: [git@github.com:org/repo.git]\n",
  });
  const problems = checkKustomization(root, join(root, "app"), ["https://example.com/"]);
  expect(problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
    'base/kustomization.yaml: resources: remote resource "git@github.com:org/repo.git" is refused: list its URL prefix in the Source\'s spec.allowRemoteResources to allow it',
    'app/kustomization.yaml: patches: "../../outside.yaml" does not exist in the repository (a remote resource needs its URL prefix in the Source\'s spec.allowRemoteResources)',
  ]);
});

it("refuses a kustomization file that is itself a symlink out of the repository", () => {
  const outside = repo({ "kustomization.yaml": "resources: []\n" });
  const root = repo({ "app/.keep": "" });
  symlinkSync(join(outside, "kustomization.yaml"), join(root, "app", "kustomization.yaml"));
  expect(checkKustomization(root, join(root, "app"))).toEqual([{ file: "app/kustomization.yaml", message: "the kustomization is a symlink that leaves the repository" }]);
});
