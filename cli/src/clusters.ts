import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ClusterSchema, ClusterState, formatLabels, parseLabels, validateName, type Cluster } from "@gitfleet/shared";
import { agentHelmValues } from "./agent-helm-values.js";
import { agentManifest } from "./agent-manifest.js";
import { CliError, type AdminConnection } from "./connection.js";
import { ago, printJson, printKeyValues, printTable } from "./output.js";

export const stateName: Record<ClusterState, string> = {
  [ClusterState.UNSPECIFIED]: "Unknown",
  [ClusterState.PENDING]: "Pending",
  [ClusterState.CONNECTED]: "Connected",
  [ClusterState.DISCONNECTED]: "Disconnected",
};

export function clusterJson(c: Cluster): unknown {
  return { ...(toJson(ClusterSchema, c) as object), state: stateName[c.state] };
}

export async function listClusters(conn: AdminConnection, output: string | undefined): Promise<void> {
  const { clusters } = await conn.client.listClusters({}, { metadata: conn.metadata });
  if (output === "json") return printJson(clusters.map(clusterJson));
  printTable(
    ["NAME", "LABELS", "STATE", "LAST SEEN", "AGENT"],
    clusters.map((c) => [c.name, formatLabels(c.labels) || "<none>", stateName[c.state], ago(c.lastHeartbeat && timestampDate(c.lastHeartbeat)), c.agentVersion || "-"]),
  );
}

export async function showCluster(conn: AdminConnection, name: string, output: string | undefined): Promise<void> {
  const { cluster } = await conn.client.getCluster({ name }, { metadata: conn.metadata });
  const c = cluster!;
  if (output === "json") return printJson(clusterJson(c));
  const rows: [string, string][] = [
    ["Name", c.name],
    ["State", stateName[c.state]],
    ["Labels", formatLabels(c.labels) || "<none>"],
    ["Admin labels", formatLabels(c.adminLabels) || "<none>"],
    ["Agent version", c.agentVersion || "-"],
    ["Kubernetes version", c.kubernetesVersion || "-"],
    ["Last heartbeat", c.lastHeartbeat ? `${timestampDate(c.lastHeartbeat).toISOString()} (${ago(timestampDate(c.lastHeartbeat))})` : "never"],
    ["Registered at", c.registeredAt ? timestampDate(c.registeredAt).toISOString() : "-"],
  ];
  printKeyValues(rows);
}

/** `cluster label NAME k=v k2-`: kubectl's syntax for setting and removing. */
export async function labelCluster(conn: AdminConnection, name: string, ops: string[]): Promise<void> {
  if (ops.length === 0) throw new CliError("cluster label needs at least one k=v or k- argument");
  const remove = ops.filter((o) => o.endsWith("-") && !o.includes("=")).map((o) => o.slice(0, -1));
  const set = parseLabels(ops.filter((o) => o.includes("=")).join(","));
  const { cluster } = await conn.client.labelCluster({ name, set, remove }, { metadata: conn.metadata });
  console.log(`cluster/${name} labeled: ${formatLabels(cluster!.labels) || "<none>"}`);
}

export interface AddOptions {
  labels?: string;
  namespaces?: string;
  hubAddress?: string;
  image: string;
  ttl: number;
  /** manifest (default, for kubectl apply) or helm-values (for the gitfleet-agent chart). */
  output?: string;
}

/** Creates a one-use token for NAME and prints the agent's install manifest (`kubectl apply -f -`) or chart values. */
export async function addCluster(conn: AdminConnection, name: string, opts: AddOptions): Promise<void> {
  validateName("cluster", name);
  const render = { manifest: agentManifest, "helm-values": agentHelmValues }[opts.output ?? "manifest"];
  if (!render) throw new CliError(`cluster add -o takes manifest or helm-values, got "${opts.output}"`);
  const labels = parseLabels(opts.labels);
  const namespaces = (opts.namespaces ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  namespaces.forEach((ns) => validateName("namespace", ns));
  const { token } = await conn.client.createToken(
    { labels, maxUses: 1, ttlSeconds: BigInt(Math.round(opts.ttl / 1000)), description: `install of cluster ${name}` },
    { metadata: conn.metadata },
  );
  process.stdout.write(render({ name, hub: opts.hubAddress ?? conn.address, token, labels, namespaces, image: opts.image }));
}
