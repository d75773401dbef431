import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ADMIN_TOKEN_FILE, AdminService, createClient, HUB_INFO_FILE, type HubInfo, type ServiceClient } from "@gitfleet/shared";

export interface GlobalOptions {
  hub?: string;
  token?: string;
  dataDir?: string;
  caFile?: string;
}

export class CliError extends Error {}

export interface AdminConnection {
  client: ServiceClient<typeof AdminService>;
  metadata: grpc.Metadata;
  address: string;
}

/** Finds the hub (--hub, GITFLEET_HUB, DATA_DIR/hub.json) and the admin token (--token, GITFLEET_TOKEN, DATA_DIR/admin-token). */
export function connectAdmin(opts: GlobalOptions): AdminConnection {
  const dataDir = opts.dataDir ?? process.env.GITFLEET_DATA_DIR;
  const hubFile = dataDir ? join(dataDir, HUB_INFO_FILE) : undefined;
  const hubInfo = hubFile && existsSync(hubFile) ? (JSON.parse(readFileSync(hubFile, "utf8")) as HubInfo) : undefined;
  const address = opts.hub ?? process.env.GITFLEET_HUB ?? hubInfo?.grpc;
  if (!address) throw new CliError("no hub address: pass --hub HOST:PORT, set GITFLEET_HUB, or --data-dir of a local hub");
  let token = opts.token ?? process.env.GITFLEET_TOKEN;
  if (!token && dataDir) {
    const file = join(dataDir, ADMIN_TOKEN_FILE);
    if (existsSync(file)) token = readFileSync(file, "utf8").trim();
  }
  if (!token) throw new CliError("no admin token: pass --token, set GITFLEET_TOKEN, or --data-dir of the hub (it holds admin-token)");
  const caFile = opts.caFile ?? process.env.GITFLEET_CA;
  const creds = caFile ? grpc.credentials.createSsl(readFileSync(caFile)) : grpc.credentials.createInsecure();
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return { client: createClient(AdminService, address, creds), metadata, address };
}
