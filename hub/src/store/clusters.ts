import type { Cluster } from "./index.js";
import { decodeJson, nullableStringMap, stringArray, stringMap } from "./records.js";

/** A cluster's label sources as stored; admin labels hold null for a key an admin removed. */
export interface ClusterLabelSources {
  token: Record<string, string>;
  agent: Record<string, string>;
  admin: Record<string, string | null>;
}

type LabelColumns = Pick<Cluster, "name" | "tokenLabels" | "agentLabels" | "adminLabels">;

export function clusterLabelSources(row: LabelColumns): ClusterLabelSources {
  const what = `Cluster "${row.name}"`;
  return {
    token: decodeJson(row.tokenLabels, what, "tokenLabels", stringMap),
    agent: decodeJson(row.agentLabels, what, "agentLabels", stringMap),
    admin: decodeJson(row.adminLabels, what, "adminLabels", nullableStringMap),
  };
}

export function clusterNamespaces(row: Pick<Cluster, "name" | "namespaces">): string[] {
  return decodeJson(row.namespaces, `Cluster "${row.name}"`, "namespaces", stringArray);
}
