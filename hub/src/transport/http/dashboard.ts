import type http from "node:http";
import type { AdminService, ApiHandlers, Logger } from "@gitfleet/shared";
import { CONNECT_PREFIX, createConnectAdmin } from "./connect-admin.js";
import { createStaticFiles, findDashboardDir } from "./static-files.js";

export type RawRoute = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

/** The dashboard on the hub's HTTP port: the admin API over Connect under /api, the page itself at /. */
export function createDashboard(api: ApiHandlers<typeof AdminService>, authorize: (token: string | undefined, method: string) => Promise<string>, log: Logger): RawRoute {
  const connect = createConnectAdmin(api, authorize, log);
  const dir = findDashboardDir();
  if (!dir) log.warn("dashboard not built (npm run build builds web/); serving only its API");
  const files = dir ? createStaticFiles(dir) : undefined;
  return async (req, res) => {
    const path = new URL(req.url ?? "/", "http://hub").pathname;
    if (path.startsWith(CONNECT_PREFIX + "/")) {
      connect(req, res);
      return true;
    }
    return files ? files(req, res, path) : false;
  };
}
