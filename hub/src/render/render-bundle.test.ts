import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KustomizeNotFoundError, RenderError, type RenderProblem } from "./errors.js";
import { renderBundle, type RenderInput } from "./render-bundle.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-render-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function tree(files: Record<string, string>): string {
  const root = join(tmp, `t${n++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

async function problemsOf(input: RenderInput): Promise<RenderProblem[]> {
  const err = await renderBundle(input).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RenderError);
  return [...(err as RenderError).problems];
}

const cm = (name: string, extra = "") => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers: [{ name: web, image: nginx:1.27 }]
`;

describe("renderBundle on plain directories", () => {
  it("reads nested multi-document YAML and JSON, skipping empty docs and dot dirs", async () => {
    const root = tree({
      "apps/web/a.yaml": `---\n${cm("a")}---\n# only a comment\n---\n${cm("b")}`,
      "apps/web/nested/deep/c.yml": cm("c"),
      "apps/web/d.json": JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } }),
      "apps/web/list.yaml": `apiVersion: v1\nkind: List\nitems:\n  - ${JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } })}\n`,
      "apps/web/.github/workflow.yml": "on: push\n",
      "apps/web/README.md": "# not a manifest",
    });
    const bundle = await renderBundle({ root, path: "apps/web" });
    expect(bundle.count).toBe(5);
    expect(bundle.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Namespace/web", "ConfigMap/a", "ConfigMap/b", "ConfigMap/c", "Secret/s"]);
    expect(bundle.manifests.split("\n").filter(Boolean)).toHaveLength(5);
    expect(bundle.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("applies the target namespace to namespaced kinds only, and extra labels to all", async () => {
    const root = tree({
      "app/all.yaml": [
        cm("cfg"),
        cm("pinned", "  namespace: other\n"),
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels: { owner: a, env: dev }\n",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Cluster\n  names: { kind: Widget }\n",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n",
      ].join("---\n"),
    });
    const { objects } = await renderBundle({ root, path: "app", namespace: "team", labels: { env: "prod", fleet: "eu" } });
    const ns = Object.fromEntries(objects.map((o) => [o.metadata.name, o.metadata.namespace]));
    expect(ns).toEqual({ cfg: "team", pinned: "other", reader: undefined, team: undefined, "widgets.example.com": undefined, w: undefined, g: "team" });
    expect(objects.map((o) => o.metadata.labels?.fleet)).toEqual(Object.keys(ns).map(() => "eu"));
    expect(objects.find((o) => o.kind === "Namespace")?.metadata.labels).toEqual({ owner: "a", env: "prod", fleet: "eu" });
  });

  it("gives the same digest regardless of file order and key order, a new one for new content", async () => {
    const one = tree({ "x/a.yaml": cm("a", "data: { k: v, z: y }\n"), "x/b.yaml": cm("b") });
    const two = tree({ "x/0.yaml": `${cm("b")}---\ndata:\n  z: y\n  k: v\nmetadata: { name: a }\nkind: ConfigMap\napiVersion: v1\n` });
    const three = tree({ "x/a.yaml": cm("a", "data: { k: v2, z: y }\n"), "x/b.yaml": cm("b") });
    const [a, b, c] = await Promise.all([one, two, three].map((root) => renderBundle({ root, path: "x" })));
    expect(b!.digest).toBe(a!.digest);
    expect(b!.manifests).toBe(a!.manifests);
    expect(c!.digest).not.toBe(a!.digest);
  });
});

describe("renderBundle errors", () => {
  it("reports YAML syntax errors with file and line, and every broken file at once", async () => {
    const root = tree({
      "app/good.yaml": cm("good"),
      "app/bad.yaml": `${cm("one")}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n`,
      "app/z/worse.yaml": "a: b\n  c: d\n",
    });
    const problems = await problemsOf({ root, path: "app" });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toEqual({ file: "app/bad.yaml", line: 10, document: 2, message: "YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]" });
    expect(problems[1]).toMatchObject({ file: "app/z/worse.yaml", line: 1, document: 1 });
  });

  it("reports missing apiVersion, kind and metadata.name with document and line", async () => {
    const root = tree({ "app/m.yaml": `${cm("ok")}---\nkind: ConfigMap\nmetadata: { name: x }\n---\napiVersion: v1\nmetadata: {}\n` });
    expect(await problemsOf({ root, path: "app" })).toEqual([
      { file: "app/m.yaml", line: 6, document: 2, message: "missing apiVersion" },
      { file: "app/m.yaml", line: 9, document: 3, message: "missing kind, metadata.name" },
    ]);
  });

  it("reports duplicates naming both files, after the target namespace is applied", async () => {
    const root = tree({ "app/a.yaml": cm("cfg"), "app/b/b.yaml": `${cm("other")}---\n${cm("cfg", "  namespace: team\n")}` });
    await expect(renderBundle({ root, path: "app" })).resolves.toMatchObject({ count: 3 });
    const [p] = await problemsOf({ root, path: "app", namespace: "team" });
    expect(p).toMatchObject({ file: "app/b/b.yaml", line: 6, document: 2 });
    expect(p!.message).toBe("duplicate object /ConfigMap/team/cfg, first defined in app/a.yaml line 1");
  });

  it("rejects paths that leave the tree or do not exist, and symlinks out of it", async () => {
    const root = tree({ "app/a.yaml": cm("a") });
    symlinkSync("/etc/hostname", join(root, "app", "escape.yaml"));
    expect(await problemsOf({ root, path: "../.." })).toEqual([{ file: "../..", message: "path leaves the repository" }]);
    expect(await problemsOf({ root, path: "nope" })).toEqual([{ file: "nope", message: "no such directory" }]);
    expect(await problemsOf({ root, path: "app" })).toEqual([{ file: "app/escape.yaml", message: "symlink points outside the repository or nowhere" }]);
  });
});

describe("renderBundle with kustomize", () => {
  const kroot = tree({
    "apps/web/base/kustomization.yaml": "resources: [deploy.yaml, cm.yaml]\nlabels:\n  - pairs: { app: web }\n",
    "apps/web/base/deploy.yaml": deploy,
    "apps/web/base/cm.yaml": cm("settings", "data: { level: info }\n"),
    "apps/web/overlays/prod/kustomization.yaml": [
      "resources: [../../base]",
      "namePrefix: prod-",
      "namespace: prod",
      "patches:",
      "  - target: { kind: Deployment, name: web }",
      "    patch: |",
      "      - { op: replace, path: /spec/template/spec/containers/0/image, value: 'nginx:1.28' }",
    ].join("\n") + "\n",
    "apps/web/overlays/broken/kustomization.yaml": "resources: [missing.yaml]\n",
    "apps/plain/Kustomization": "resources: [cm.yaml]\ncommonLabels: { tier: plain }\n",
    "apps/plain/cm.yaml": cm("p"),
  });

  it("builds an overlay: namePrefix, namespace, patches, labels", async () => {
    const bundle = await renderBundle({ root: kroot, path: "apps/web", overlay: "overlays/prod", labels: { fleet: "eu" } });
    const web = bundle.objects.find((o) => o.kind === "Deployment")!;
    expect(web.metadata).toMatchObject({ name: "prod-web", namespace: "prod", labels: { app: "web", fleet: "eu" } });
    expect(JSON.stringify(web.spec)).toContain("nginx:1.28");
    expect(bundle.objects.map((o) => o.metadata.name).sort()).toEqual(["prod-settings", "prod-web"]);
  });

  it("builds the base without an overlay and accepts a file named Kustomization", async () => {
    const base = await renderBundle({ root: kroot, path: "apps/web/base", namespace: "dev" });
    expect(base.objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(["dev/settings", "dev/web"]);
    const plain = await renderBundle({ root: kroot, path: "apps/plain" });
    expect(plain.objects[0]!.metadata.labels).toEqual({ tier: "plain" });
  });

  it("reports kustomize's error with the directory, without absolute paths", async () => {
    const [p] = await problemsOf({ root: kroot, path: "apps/web", overlay: "overlays/broken" });
    // A missing local resource is caught before kustomize runs (it would try it as a remote URL).
    expect(p!.file).toBe("apps/web/overlays/broken/kustomization.yaml");
    expect(p!.message).toMatch(/^resources: "apps\/web\/overlays\/broken\/missing\.yaml" does not exist in the repository/);
    expect(p!.message).not.toContain(kroot);
  });

  it("raises KustomizeNotFoundError when neither binary is on PATH", async () => {
    await expect(renderBundle({ root: kroot, path: "apps/plain", kustomize: { pathEnv: join(tmp, "empty") } }))
      .rejects.toBeInstanceOf(KustomizeNotFoundError);
  });

  it("times out a slow kustomize", async () => {
    const bin = tree({ "kustomize": "#!/bin/sh\nsleep 5\n" });
    chmodSync(join(bin, "kustomize"), 0o755);
    const [p] = await problemsOf({ root: kroot, path: "apps/plain", kustomize: { pathEnv: bin, timeoutMs: 200 } });
    expect(p!.message).toBe("kustomize build failed: timed out after 0.2s");
  });
});
