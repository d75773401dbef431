import { HubError } from "../errors.js";
import { describe, expect, it } from "vitest";
import { agentOptions, ignoreFields, parseDefinitions, type Definition } from "./index.js";

const source = `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: apps}
spec:
  url: https://bob:tok3n@git.example.com/apps.git
  branch: main
  interval: 30s
  webhookSecret: hook-s3cret
`;
const app = (spec: string) => `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: web}
spec:
${spec.replace(/^/gm, "  ")}`;
const web = app(`source: apps
path: web
ignoreDifferences: [{kind: Deployment, group: apps, fields: [spec.replicas]}]
targets:
- name: staging
  clusterSelector: {matchLabels: {env: staging}}
  overlay: overlays/staging
- name: prod
  clusterSelector: {matchExpressions: [{key: env, operator: In, values: [prod]}]}
  namespace: prod-ns
  labels: {team: web}`);

const parse = (yaml: string) => parseDefinitions([{ yaml, origin: "fleet.yaml" }]);
const failure = (yaml: string): string => {
  try {
    parse(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).reason).toBe("INVALID_ARGUMENT");
    return (err as Error).message;
  }
  throw new Error("no error");
};

describe("parseDefinitions", () => {
  it("parses a Source and an App with defaults, moving secrets out of the shown spec", () => {
    const [src, a] = parse(`${source}---\n${web}`) as [Extract<Definition, { kind: "Source" }>, Extract<Definition, { kind: "App" }>];
    expect(src.shown).toEqual({ url: "https://git.example.com/apps.git", branch: "main", interval: "30s", credentials: "[redacted]", webhookSecret: "[redacted]" });
    expect(src.secrets).toEqual({ username: "bob", password: "tok3n", webhookSecret: "hook-s3cret" });
    expect(src.spec.intervalMs).toBe(30_000);
    expect(a.spec).toMatchObject({ source: "apps", path: "web", prune: true, selfHeal: true, dependsOn: [] });
    expect(a.spec.targets[1]).toEqual({ name: "prod", clusterSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] }, namespace: "prod-ns", labels: { team: "web" } });
    expect(ignoreFields(a.spec)).toEqual(["apps/Deployment:spec.replicas"]);
    expect(a.spec).toMatchObject({ takeover: "adopt", allowEmpty: false });
  });

  it("gives agents the takeover policy and the target namespace to create, unless createNamespace is false", () => {
    const [a] = parse(web.replace("path: web", "path: web\n  takeover: refuse")) as [Extract<Definition, { kind: "App" }>];
    expect(agentOptions(a.spec, "prod")).toMatchObject({ refuseTakeover: true, createNamespace: "prod-ns", prune: true });
    expect(agentOptions(a.spec, "staging")).toMatchObject({ createNamespace: "" });
    const [kept] = parse(web.replace("namespace: prod-ns", "namespace: prod-ns\n    createNamespace: false")) as [Extract<Definition, { kind: "App" }>];
    expect(agentOptions(kept.spec, "prod")).toMatchObject({ refuseTakeover: false, createNamespace: "" });
  });

  it("takes explicit ssh credentials and keeps them out of the shown spec", () => {
    const [src] = parse(source.replace("webhookSecret: hook-s3cret", "credentials: {sshPrivateKey: KEY}").replace("bob:tok3n@", "")) as [Extract<Definition, { kind: "Source" }>];
    expect(src.secrets).toEqual({ sshPrivateKey: "KEY" });
    expect(JSON.stringify(src.shown)).not.toContain("KEY");
  });

  it("parses a Helm repository Source with basic auth kept secret, and refuses an ssh key for it", () => {
    const helm = `apiVersion: gitfleet.dev/v1\nkind: Source\nmetadata: {name: charts}\nspec: {type: helm, url: "https://charts.example/stable", chart: web, version: "^1.2", interval: 10m, credentials: {username: ci, password: pw}}\n`;
    const [src] = parse(helm) as [Extract<Definition, { kind: "Source" }>];
    expect(src.spec).toEqual({ type: "helm", url: "https://charts.example/stable", chart: "web", version: "^1.2", intervalMs: 600_000 });
    expect(src.secrets).toEqual({ username: "ci", password: "pw" });
    expect(src.shown).toEqual({ type: "helm", url: "https://charts.example/stable", chart: "web", version: "^1.2", interval: "10m", credentials: "[redacted]" });
    expect(failure(helm.replace("{username: ci, password: pw}", "{sshPrivateKey: KEY}"))).toMatch(/\(Source\/charts\): spec\.credentials\.sshPrivateKey: a Helm repository takes username and password/);
    expect(failure(helm.replace("chart: web, ", ""))).toMatch(/\(Source\/charts\): spec\.chart: want a chart name/);
  });

  it("parses a Notifier, keeping its HMAC secret out of the shown spec", () => {
    const [n] = parse(`apiVersion: gitfleet.dev/v1\nkind: Notifier\nmetadata: {name: team}\nspec: {url: "https://hooks.example/x", secret: s3cret, apps: [web]}\n`) as [Extract<Definition, { kind: "Notifier" }>];
    expect(n.secret).toBe("s3cret");
    expect(n.shown).toMatchObject({ url: "https://hooks.example/x", apps: ["web"], secret: "[redacted]" });
    expect(n.spec.events).toContain("rollout.rolled-back");
  });

  it.each([
    [`apiVersion: gitfleet.dev/v1\nkind: Notifier\nmetadata: {name: n}\nspec: {url: "ftp://x"}\n`, /\(Notifier\/n\): spec\.url: want an http\(s\) URL/],
    [`apiVersion: gitfleet.dev/v1\nkind: Notifier\nmetadata: {name: n}\nspec: {url: "https://u:p@x"}\n`, /spec\.url: credentials in the URL/],
    [`apiVersion: gitfleet.dev/v1\nkind: Notifier\nmetadata: {name: n}\nspec: {url: "https://x", events: [rollout.exploded]}\n`, /spec\.events\[0\]: want one of rollout\.started/],
    [web.replace("source: apps", "source: Apps"), /document 1 \(App\/web\): spec\.source: invalid source name/],
    [web.replace("operator: In", "operator: Within"), /spec\.targets\[1\]\.clusterSelector\.matchExpressions\[0\]\.operator: want one of In, NotIn/],
    [web.replace("values: [prod]", "values: []"), /matchExpressions\[0\]\.values: In needs values/],
    [web.replace("  overlay: overlays/staging", "  clusterGroup: edge"), /spec\.targets\[0\]: set exactly one of/],
    [web.replace("name: prod", "name: staging"), /spec\.targets\[1\]\.name: duplicate target name/],
    [web.replace("overlays/staging", "../../etc"), /spec\.targets\[0\]\.overlay: want a relative path/],
    [web.replace("path: web", "pth: web"), /spec\.pth: unknown field/],
    [web.replace("labels: {team: web}", "labels: {team: 'a b'}"), /spec\.targets\[1\]\.labels\.team: invalid value/],
    [app("source: apps\ntargets: []"), /spec\.targets: want at least one target/],
    [app("source: apps\nrevision: main\ntargets: [{name: a, clusterNames: [x]}]"), /spec\.revision: want a commit SHA/],
    [source.replace("interval: 30s", "interval: soon"), /\(Source\/apps\): spec\.interval:/],
    [source.replace("kind: Source", "kind: Secret"), /kind: want Source, App or Notifier/],
    [source.replace("gitfleet.dev/v1", "v1"), /apiVersion: want gitfleet.dev\/v1/],
    ["kind: [unclosed", /document 1: line 1:/],
    [web.replace("path: web", "path: web\n  takeover: steal"), /spec\.takeover: want one of adopt, refuse/],
    [web.replace("path: web", "path: web\n  allowEmpty: yes"), /spec\.allowEmpty: want true or false/],
  ])("rejects %#", (yaml, message) => {
    expect(failure(yaml)).toMatch(message);
  });

  it("reports every bad document, with origin and index, and duplicates", () => {
    const msg = failure(`${source}---\n${web.replace("source: apps", "source: 1")}\n---\n${source}`);
    expect(msg).toMatch(/^invalid definitions, nothing applied:/);
    expect(msg).toMatch(/fleet\.yaml: document 2 \(App\/web\): spec\.source: want a non-empty string/);
    expect(msg).toMatch(/fleet\.yaml: document 3 \(Source\/apps\): also defined in fleet\.yaml: document 1/);
  });

  it("parses Helm settings, defaulting the release name to the App's and checking names and paths", () => {
    const [a] = parse(app(`source: apps
path: charts/web
helm: {valuesFiles: [values-common.yaml], values: {replicas: 2}}
targets:
- {name: eu, clusterNames: [c1], helm: {values: {replicas: 3}}}`)) as [Extract<Definition, { kind: "App" }>];
    expect(a.spec.helm).toEqual({ releaseName: "web", valuesFiles: ["values-common.yaml"], values: { replicas: 2 } });
    expect(a.spec.targets[0]!.helm).toEqual({ values: { replicas: 3 } });
    expect(failure(app("source: apps\nhelm: {releaseName: Web_1}\ntargets: [{name: t, clusterNames: [c]}]"))).toMatch(/spec\.helm\.releaseName: want a Helm release name/);
    expect(failure(app("source: apps\nhelm: {valuesFiles: [/etc/passwd]}\ntargets: [{name: t, clusterNames: [c]}]"))).toMatch(/spec\.helm\.valuesFiles\[0\]: want a path inside the repository/);
    expect(failure(app("source: apps\ntargets: [{name: t, clusterNames: [c], helm: {valuesFiles: [x]}}]"))).toMatch(/spec\.targets\[0\]\.helm\.valuesFiles: unknown field/);
  });

  it("skips empty documents", () => {
    expect(parse(`---\n${source}---\n`)).toHaveLength(1);
  });
});
