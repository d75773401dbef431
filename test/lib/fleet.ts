import { mkdtemp, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterState } from "@gitfleet/shared";
import { postgresSchema } from "./postgres.js";
import { BIN, run, start, waitFor, type Proc } from "./processes.js";
import { admin, type HubRef } from "./admin.js";
import { atFileEnd } from "./cleanup.js";

export type { HubRef } from "./admin.js";

export interface HubProc extends Proc, HubRef {
  dataDir: string;
  grpc: string;
  http: string;
}

export const POSTGRES_URL = process.env.GITFLEET_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** A PostgreSQL URL with a fresh schema of its own, so suites never see each other's rows; dropped when the file ends. */
export function freshPostgresUrl(): string {
  const { url, drop } = postgresSchema(POSTGRES_URL, "e2e");
  atFileEnd(drop);
  return url;
}

/** The stores every hub suite runs on: hub arguments for embedded SQLite and for PostgreSQL. */
export const BACKENDS = [
  { name: "sqlite", args: (): string[] => [] },
  { name: "postgresql", args: (): string[] => ["--database-url", freshPostgresUrl()] },
];

/** Removes a directory now (tempDir's are also removed when the test file ends). */
export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** A fresh directory under the OS temp dir, removed when the test file ends. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `gitfleet-${prefix}-`));
  atFileEnd(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts gitfleet-hub on free ports and waits until it has written DATA_DIR/hub.json. */
/** Pass `previous` to restart on the same ports, as a restarted hub behind a Service would be. */
/** `script` runs another gitfleet-hub than the source tree's, e.g. one installed from a tarball. */
export async function startHub(dataDir: string, extra: string[] = [], env: Record<string, string> = {}, previous?: { grpc: string; http: string }, script = BIN.hub): Promise<HubProc> {
  const hubFile = join(dataDir, "hub.json");
  await rm(hubFile, { force: true });
  const listen = ["--listen", previous?.grpc ?? "127.0.0.1:0", "--http-listen", previous?.http ?? "127.0.0.1:0"];
  const proc = start(script, ["--data-dir", dataDir, ...listen, ...extra], env);
  const info = await waitFor(`hub to listen (output: ${proc.output()})`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`hub exited ${proc.child.exitCode}: ${proc.output()}`);
    return existsSync(hubFile) ? (JSON.parse(await readFile(hubFile, "utf8")) as { grpc: string; http: string }) : undefined;
  });
  return Object.assign(proc, { dataDir, grpc: info.grpc, http: info.http });
}

/** Runs the gitfleet CLI against a hub's data dir (address and admin token found there). */
export async function cli(hub: HubRef, args: string[], stdin?: string) {
  return run(BIN.cli, ["--data-dir", hub.dataDir, ...(hub.caFile ? ["--ca-file", hub.caFile] : []), ...args], { stdin });
}

export async function cliOk(hub: HubRef, args: string[], stdin?: string): Promise<string> {
  const r = await cli(hub, args, stdin);
  if (r.code !== 0) throw new Error(`gitfleet ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export interface ClusterJson {
  name: string;
  labels?: Record<string, string>;
  state: string;
  agentVersion?: string;
  kubernetesVersion?: string;
}

const STATE_NAMES: Record<ClusterState, string> = {
  [ClusterState.UNSPECIFIED]: "Unspecified",
  [ClusterState.PENDING]: "Pending",
  [ClusterState.CONNECTED]: "Connected",
  [ClusterState.DISCONNECTED]: "Disconnected",
};

/** The hub's clusters, read through the admin API from inside the test process (no CLI process per poll). */
export async function clusters(hub: HubRef): Promise<ClusterJson[]> {
  const { api, metadata } = admin(hub);
  const res = await api.listClusters({}, { metadata, deadlineMs: 30_000 });
  return res.clusters.map((c) => ({
    name: c.name,
    labels: c.labels,
    state: STATE_NAMES[c.state],
    agentVersion: c.agentVersion || undefined,
    kubernetesVersion: c.kubernetesVersion || undefined,
  }));
}

/** Waits for a cluster's state; the deadline is generous for liveness on a loaded machine. */
export async function waitClusterState(hub: HubRef, name: string, state: string, timeoutMs = 60_000): Promise<ClusterJson> {
  return waitFor(`cluster ${name} to be ${state}`, async () => (await clusters(hub)).find((c) => c.name === name && c.state === state), timeoutMs);
}

export function startAgent(hub: { grpc: string }, args: string[], env: Record<string, string> = {}): Proc {
  return start(BIN.agent, ["--hub", hub.grpc, ...args], env);
}
