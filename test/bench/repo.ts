// The benchmark's Git content: one App of M objects (base) and K overlays, each targeted by a label.
import { join } from "node:path";
import { createRepo, type TestRepo } from "../lib/git.js";

export const APP = "web";
export const SOURCE = "bench";
export const NAMESPACE = "bench";
/** The object the drift step changes by hand (always present: M >= 3). */
export const DRIFT_OBJECT = { apiVersion: "v1", kind: "ConfigMap", resource: "configmaps", name: "cm-1" };

const NAMES = ["dev", "staging", "prod", "qa", "canary", "edge"];
export const overlayName = (i: number) => NAMES[i] ?? `o${i}`;

type Kind = "ConfigMap" | "Deployment" | "Service" | "ServiceAccount";
const KINDS: Kind[] = ["ConfigMap", "Deployment", "Service", "ServiceAccount"];

/** Object i (1..M-1) of the base; object 0 is the Namespace. */
function object(i: number, rev: number, firstCm: number, firstDeploy: number, regional: boolean): string {
  const kind = KINDS[(i - 1) % KINDS.length]!;
  const meta = (name: string) => `metadata:\n  name: ${name}\n  namespace: ${NAMESPACE}\n  labels: {app.kubernetes.io/part-of: bench}`;
  switch (kind) {
    case "ConfigMap":
      // With regions, the first ConfigMap takes values per cluster (substitute).
      return `apiVersion: v1\nkind: ConfigMap\n${meta(`cm-${i}`)}\ndata:\n  index: "${i}"\n  revision: "${i === firstCm ? rev : 1}"\n  payload: "${"x".repeat(64)}"\n${regional && i === firstCm ? '  region: "${cluster.labels.region}"\n  tier: "${tier}"\n' : ""}`;
    case "Deployment": {
      // The first Deployment's pod template changes with each commit, as a config-hash rollout does.
      const anno = i === firstDeploy ? `\n      annotations: {bench/revision: "${rev}"}` : "";
      return `apiVersion: apps/v1\nkind: Deployment\n${meta(`deploy-${i}`)}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: deploy-${i}}\n  template:\n    metadata:\n      labels: {app: deploy-${i}}${anno}\n    spec:\n      containers:\n      - name: main\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n        env:\n        - {name: INDEX, value: "${i}"}\n`;
    }
    case "Service":
      return `apiVersion: v1\nkind: Service\n${meta(`svc-${i}`)}\nspec:\n  selector: {app: deploy-${i - 1}}\n  ports:\n  - {name: http, port: 80, targetPort: 8080}\n`;
    case "ServiceAccount":
      return `apiVersion: v1\nkind: ServiceAccount\n${meta(`sa-${i}`)}\n`;
  }
}

/** Objects a commit changes (baseFiles: the first ConfigMap and the first Deployment). */
export const CHANGED_PER_COMMIT = 2;

/** Base files for commit `rev`: the first ConfigMap and the first Deployment's template change with rev. */
export function baseFiles(objects: number, rev: number, regional = false): Record<string, string> {
  const byKind = new Map<Kind, string[]>();
  const kindOf = (i: number) => KINDS[(i - 1) % KINDS.length]!;
  for (let i = 1; i < objects; i++) byKind.set(kindOf(i), [...(byKind.get(kindOf(i)) ?? []), object(i, rev, 1, 2, regional)]);
  const files: Record<string, string> = { "app/base/namespace.yaml": `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NAMESPACE}\n` };
  const resources = ["namespace.yaml"];
  for (const [kind, docs] of byKind) {
    const file = `${kind.toLowerCase()}s.yaml`;
    files[`app/base/${file}`] = docs.join("---\n");
    resources.push(file);
  }
  files["app/base/kustomization.yaml"] = `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `- ${r}\n`).join("")}`;
  return files;
}

function overlayFiles(overlays: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let k = 0; k < overlays; k++) {
    files[`app/overlays/${overlayName(k)}/kustomization.yaml`] = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
commonAnnotations:
  bench/overlay: ${overlayName(k)}
patches:
- target: {kind: Deployment}
  patch: |
    - op: replace
      path: /spec/replicas
      value: ${(k % 3) + 1}
- target: {kind: ConfigMap}
  patch: |
    - op: add
      path: /data/environment
      value: ${overlayName(k)}
`;
  }
  return files;
}

export function createBenchRepo(dir: string, objects: number, overlays: number, regional: boolean): TestRepo {
  const repo = createRepo(join(dir, "apps"));
  repo.commit({ ...baseFiles(objects, 1, regional), ...overlayFiles(overlays) }, "bench app: revision 1");
  return repo;
}

/** Source and App definitions: one target per overlay, selected by the cluster label env; `substitute` with regions. */
export function definitions(repoDir: string, overlays: number, webhookSecret: string, regional: boolean): string {
  const targets = Array.from({ length: overlays }, (_, k) => `  - name: ${overlayName(k)}
    clusterSelector: {matchLabels: {env: ${overlayName(k)}}}
    overlay: overlays/${overlayName(k)}
`).join("");
  return `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: ${SOURCE}}
spec: {url: "file://${repoDir}", branch: main, interval: 1h, webhookSecret: ${webhookSecret}}
---
apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: ${APP}}
spec:
  source: ${SOURCE}
  path: app
  prune: true
  # Drift stays visible (OutOfSync) instead of being healed, so the drift step can see it on the hub.
  selfHeal: false
  # All at once: the bench measures delivery itself, not the default staged rollout's waves.
  rollout: {maxUnavailable: 100%}
${regional ? "  substitute: {tier: bench}\n" : ""}  targets:
${targets}`;
}

const REGIONS = ["eu", "us", "ap", "sa", "af", "me"];
const regionName = (i: number) => REGIONS[i] ?? `r${i}`;

/** Cluster i's labels: overlays (and regions) are spread round-robin. */
export const clusterLabels = (i: number, overlays: number, regions: number): Record<string, string> => ({
  env: overlayName(i % overlays), bench: "true", ...(regions > 0 ? { region: regionName(i % regions) } : {}),
});

/** What renders per commit should be: the distinct (overlay, region) label pairs of the N clusters. */
export function distinctInputs(clusters: number, overlays: number, regions: number): number {
  return new Set(Array.from({ length: clusters }, (_, i) => JSON.stringify(clusterLabels(i, overlays, regions)))).size;
}
export const clusterName = (i: number) => `c${String(i).padStart(4, "0")}`;
