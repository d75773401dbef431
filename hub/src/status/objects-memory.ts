import { createHash } from "node:crypto";

/**
 * What per-object results this hub last stored for each (cluster, App), as a hash: a status whose
 * objects did not change (Progressing then Healthy, most commits) is stored without them. Passing
 * a few KB of JSON per row through Prisma cost more than the rest of the row's write. A cluster's
 * entries are forgotten when its agent connects (it may have reported through another hub meanwhile).
 */
export function createObjectsMemory() {
  const byCluster = new Map<string, Map<string, string>>();
  return {
    /** What unchanged() and remember() compare: a hash of the objects' JSON. */
    hash: (json: string) => createHash("sha1").update(json).digest("base64"),
    unchanged: (cluster: string, app: string, hash: string) => byCluster.get(cluster)?.get(app) === hash,
    remember(cluster: string, app: string, hash: string): void {
      const apps = byCluster.get(cluster) ?? new Map<string, string>();
      apps.set(app, hash);
      byCluster.set(cluster, apps);
    },
    forget: (cluster: string) => void byCluster.delete(cluster),
  };
}
export type ObjectsMemory = ReturnType<typeof createObjectsMemory>;
