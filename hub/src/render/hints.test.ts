import { describe, expect, it } from "vitest";
import { treeMaker } from "./test-tree.js";
import { RenderError } from "./errors.js";
import { renderBundle, type RenderInput } from "./render-bundle.js";

const { tree } = treeMaker("gitfleet-hints-");

async function messages(input: RenderInput): Promise<string[]> {
  const err = await renderBundle(input).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RenderError);
  return (err as RenderError).problems.map((p) => `${p.file}: ${p.message}`);
}

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
const kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n";

describe("render messages for real repository shapes", () => {
  it("an empty path is an error that says what is there, unless allowEmpty", async () => {
    const root = tree({ "app/main.jsonnet": "{}", "app/README.md": "#" });
    expect(await messages({ root, path: "app" })).toEqual(["app: no manifests (*.yaml, *.yml, *.json) in app (found only README.md, main.jsonnet); set allowEmpty: true on the App if it is meant to have no objects"]);
    expect((await renderBundle({ root, path: "app", allowEmpty: true })).count).toBe(0);
  });

  it("a kustomization that builds nothing is an error too", async () => {
    const root = tree({ "k/kustomization.yaml": kustomization });
    expect((await messages({ root, path: "k" }))[0]).toContain("kustomize build k produced no objects");
  });

  it("a Helm chart below plain manifests says so instead of listing template syntax errors", async () => {
    const root = tree({ "app/cm.yaml": cm, "app/chart/Chart.yaml": "name: x\nversion: 1.0.0\n", "app/chart/templates/d.yaml": "{{ .Values.x }}: [", "app/chart/values.yaml": "x: 1\n" });
    expect(await messages({ root, path: "app" })).toEqual(["app/chart/Chart.yaml: this folder is a Helm chart inside a folder of plain manifests: set the App's path to app/chart to render it with helm"]);
  });

  it("kustomizations and fleet.yaml read as plain manifests hint at the target's overlay", async () => {
    const root = tree({ "web/base/kustomization.yaml": kustomization, "web/base/cm.yaml": cm, "web/overlays/prod/kustomization.yaml": kustomization, "web/fleet.yaml": "namespace: web\n" });
    const got = await messages({ root, path: "web" });
    expect(got).toContain("web/overlays/prod/kustomization.yaml: a kustomization, read as a plain manifest because web has none: to build it, set the target's overlay: overlays/prod");
    expect(got).toContain("web/base/kustomization.yaml: a kustomization, read as a plain manifest because web has none: to build it, set the target's overlay: base");
    expect(got.find((m) => m.startsWith("web/fleet.yaml"))).toMatch(/Rancher Fleet's fleet.yaml is not a manifest/);
  });

  it("generateName is named: server-side apply needs a fixed name", async () => {
    const root = tree({ "j/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\n" });
    expect((await messages({ root, path: "j" }))[0]).toContain("missing metadata.name (generateName is not enough: server-side apply needs a fixed name)");
  });
});
