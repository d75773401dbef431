import { mkdtemp, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { BIN, run, start, waitFor, type Proc } from "./processes.js";

/** What the CLI needs to reach a hub: its data dir, plus extra flags such as --ca-file. */
export interface HubRef {
  dataDir: string;
  cliArgs?: string[];
}

export interface HubProc extends Proc, HubRef {
  dataDir: string;
  grpc: string;
  http: string;
}

export const POSTGRES_URL = process.env.GITFLEET_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** A PostgreSQL URL with a fresh schema of its own, so suites never see each other's rows. */
export function freshPostgresUrl(): string {
  const u = new URL(POSTGRES_URL);
  u.searchParams.set("schema", `e2e_${randomBytes(6).toString("hex")}`);
  return u.toString();
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `gitfleet-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Starts gitfleet-hub on free ports and waits until it has written DATA_DIR/hub.json. */
/** Pass `previous` to restart on the same ports, as a restarted hub behind a Service would be. */
export async function startHub(dataDir: string, extra: string[] = [], env: Record<string, string> = {}, previous?: { grpc: string; http: string }): Promise<HubProc> {
  const hubFile = join(dataDir, "hub.json");
  await rm(hubFile, { force: true });
  const listen = ["--listen", previous?.grpc ?? "127.0.0.1:0", "--http-listen", previous?.http ?? "127.0.0.1:0"];
  const proc = start(BIN.hub, ["--data-dir", dataDir, ...listen, ...extra], env);
  const info = await waitFor(`hub to listen (output: ${proc.output()})`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`hub exited ${proc.child.exitCode}: ${proc.output()}`);
    return existsSync(hubFile) ? (JSON.parse(await readFile(hubFile, "utf8")) as { grpc: string; http: string }) : undefined;
  });
  return Object.assign(proc, { dataDir, grpc: info.grpc, http: info.http });
}

/** Runs the gitfleet CLI against a hub's data dir (address and admin token found there). */
export async function cli(hub: HubRef, args: string[], stdin?: string) {
  return run(BIN.cli, ["--data-dir", hub.dataDir, ...(hub.cliArgs ?? []), ...args], {}, stdin);
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
  lastHeartbeat?: string;
}

export async function clusters(hub: HubRef): Promise<ClusterJson[]> {
  return JSON.parse(await cliOk(hub, ["cluster", "list", "-o", "json"])) as ClusterJson[];
}

export async function waitClusterState(hub: HubRef, name: string, state: string, timeoutMs = 20_000): Promise<ClusterJson> {
  return waitFor(`cluster ${name} to be ${state}`, async () => (await clusters(hub)).find((c) => c.name === name && c.state === state), timeoutMs);
}

export function startAgent(hub: { grpc: string }, args: string[], env: Record<string, string> = {}): Proc {
  return start(BIN.agent, ["--hub", hub.grpc, ...args], env);
}
