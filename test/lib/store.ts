// The hub's database read from a test, through the hub's own store module (Prisma, either provider):
// for what no admin call shows, such as which Bundle and Render rows exist.
import { openStore, type Store } from "@gitfleet/hub/dist/src/store/index.js";
import { atFileEnd } from "./cleanup.js";

/** Opens the store of a hub's data dir (and database URL, for PostgreSQL); closed when the file ends. */
export async function openHubStore(dataDir: string, databaseUrl?: string): Promise<Store> {
  const store = await openStore({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
  atFileEnd(() => store.close());
  return store;
}
