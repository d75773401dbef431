// When clusters stop being Connected without their agent saying so (a hub stopped or died).
// Per-hub heartbeats and timeouts of streams this hub holds: sweepSessions (transport/grpc).
import type { Db } from "../store/index.js";
import { inChunks } from "../store/chunks.js";

/** One hub on its database, starting: no stream survived its restart. */
export async function disconnectAll(db: Db): Promise<void> {
  await db.cluster.updateMany({ where: { state: "Connected" }, data: { state: "Disconnected" } });
}

/**
 * Streams that ended (a stopping hub ends all of its own). With `hubId`, only clusters still
 * Connected through that hub: an agent that moved to another hub while this stream died slowly stays Connected.
 */
export async function disconnectClusters(db: Db, names: string[], hubId?: string): Promise<void> {
  for (const chunk of inChunks(names)) {
    await db.cluster.updateMany({ where: { name: { in: chunk }, state: "Connected", ...(hubId ? { hub: hubId } : {}) }, data: { state: "Disconnected" } });
  }
}

/** Several hubs: clusters of a hub that died, not heard from for timeoutMs (nobody else marks them; the leader's task). */
export async function disconnectSilent(db: Db, timeoutMs: number, now = Date.now()): Promise<void> {
  await db.cluster.updateMany({ where: { state: "Connected", lastHeartbeat: { lt: new Date(now - timeoutMs) } }, data: { state: "Disconnected" } });
}
