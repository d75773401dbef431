import { parseBundle, REDACTED, type GetAppManifestsResponseSchema, type KubeObject } from "@gitfleet/shared";
import { stringify } from "yaml";
import type { Init } from "../delivery/context.js";
import { effectiveLabels } from "../registry/clusters.js";
import type { Renderer } from "../render/renderer.js";
import { createAppRepository, type Db } from "../store/index.js";
import { HubError } from "../errors.js";

export interface ManifestDeps {
  db: Db;
  forClusters: Renderer["forClusters"];
  resolveCommit(source: string, commit: string): Promise<{ sha: string }>;
}

/** The exact YAML a cluster gets for an App: what it is assigned now, or what it would get at `revision`. */
export async function appManifests(deps: ManifestDeps, app: string, cluster: string, revision: string, showSecrets: boolean): Promise<Init<typeof GetAppManifestsResponseSchema>> {
  const { db } = deps;
  const [appRow, clusterRow] = await Promise.all([createAppRepository(db).get(app), db.cluster.findUnique({ where: { name: cluster } })]);
  if (!appRow) throw new HubError("NOT_FOUND", `no app named "${app}" (see \`gitfleet app list\`)`);
  if (!clusterRow) throw new HubError("NOT_FOUND", `no cluster named "${cluster}" (see \`gitfleet cluster list\`)`);
  const { spec } = appRow;
  let picked: { revision: string; target: string; bundleDigest: string };
  if (!revision) {
    const a = await db.assignment.findUnique({ where: { clusterName_app: { clusterName: cluster, app } } });
    if (!a) throw new HubError("FAILED_PRECONDITION", `app "${app}" is not assigned to cluster "${cluster}" (see \`gitfleet explain ${app} --cluster ${cluster}\`); --revision shows what it would get`);
    picked = a;
  } else {
    if (!/^[0-9a-f]{4,40}$/i.test(revision)) throw new HubError("INVALID_ARGUMENT", `revision "${revision}": want a commit SHA (full or short)`);
    const sha = (await deps.resolveCommit(spec.source, revision.toLowerCase())).sha;
    const placed = (await deps.forClusters(app, spec, sha, [{ name: cluster, labels: effectiveLabels(clusterRow) }])).clusters.get(cluster);
    if (!placed) throw new HubError("FAILED_PRECONDITION", `no target of app "${app}" selects cluster "${cluster}" (see \`gitfleet explain ${app} --cluster ${cluster}\`)`);
    const { target: i, outcome } = placed;
    if ("error" in outcome) throw new HubError("FAILED_PRECONDITION", `app "${app}" at ${sha.slice(0, 12)} does not render for target ${spec.targets[i]!.name}: ${outcome.error}`);
    picked = { revision: sha, target: spec.targets[i]!.name, bundleDigest: outcome.digest };
  }
  const bundle = await db.bundle.findUnique({ where: { digest: picked.bundleDigest } });
  if (!bundle) throw new HubError("NOT_FOUND", `bundle ${picked.bundleDigest} is no longer stored`);
  const objects = parseBundle(bundle.manifests).map((o) => (showSecrets ? o : redact(o)));
  return { yaml: objects.map((o) => stringify(o)).join("---\n"), ...picked };
}

// Secret values never leave the hub unless asked for.
function redact(o: KubeObject): KubeObject {
  if (o.kind !== "Secret") return o;
  const out: Record<string, unknown> = { ...o };
  for (const field of ["data", "stringData"]) {
    const values = out[field] as Record<string, unknown> | undefined;
    if (values) out[field] = Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
  }
  return out as KubeObject;
}
