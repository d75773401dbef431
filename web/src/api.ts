import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AdminService } from "@gitfleet/shared/proto";

// Session storage: the token lives as long as the tab, never in a URL, a cookie or local storage.
const TOKEN_KEY = "gitfleet.adminToken";

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

const bearer: Interceptor = (next) => (req) => {
  const token = session.token();
  if (token) req.header.set("authorization", `Bearer ${token}`);
  return next(req);
};

const transport = createConnectTransport({ baseUrl: `${location.origin}/api`, interceptors: [bearer] });

/** The hub's AdminService, the same contract the CLI uses. */
export const admin = createClient(AdminService, transport);

/** Checks a token with one harmless call before keeping it. */
export async function login(token: string): Promise<void> {
  const probe = createClient(AdminService, createConnectTransport({ baseUrl: `${location.origin}/api` }));
  await probe.listApps({}, { headers: { authorization: `Bearer ${token}` } });
  session.save(token);
}
