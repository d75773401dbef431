// Files a hub keeps in its DATA_DIR that local tools (the gitfleet CLI) read to find it.

/** The admin bearer token (mode 0600), created on the hub's first start unless GITFLEET_ADMIN_TOKEN is set. */
export const ADMIN_TOKEN_FILE = "admin-token";

/** Where a running hub listens, written at start. */
export const HUB_INFO_FILE = "hub.json";

export interface HubInfo {
  grpc: string;
  http: string;
  tls: boolean;
  pid: number;
}
