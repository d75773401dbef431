import { createHash } from "node:crypto";
import type { ObjectResult } from "@gitfleet/shared";
import { MAX_OBJECT_MESSAGE, MAX_STATUS_OBJECTS, truncate } from "../config/limits.js";
import { objectResultJson, sameObjectResult } from "./object-json.js";

// Bundles whose last encoded results are kept (one or a few per App being delivered).
const MAX_ENCODED = 64;

/**
 * What per-object results this hub last stored for each (cluster, App), as a hash: a status whose
 * objects did not change (Progressing then Healthy, most commits) is stored without them. Passing
 * a few KB of JSON per row through Prisma cost more than the rest of the row's write. A cluster's
 * entries are forgotten when its agent connects (it may have reported through another hub meanwhile).
 */
export function createObjectsMemory() {
  const byCluster = new Map<string, Map<string, string>>();
  // The last results encoded per bundle digest: in a commit thousands of agents report the same
  // objects for a bundle, twice each, and building and hashing their JSON every time cost more than the row's write.
  const encoded = new Map<string, { all: readonly ObjectResult[]; objects: ObjectResult[]; json: string; hash: string }>();
  return {
    /** The objects' JSON as stored (capped in number and message size) and its hash, which unchanged() and remember() compare. */
    encode(bundleDigest: string, all: readonly ObjectResult[]): { json: string; hash: string } {
      const last = encoded.get(bundleDigest);
      // The same array: the hub's decoder shares results byte for byte equal (transport/grpc/connect-decoder.ts).
      if (last?.all === all) return last;
      const objects = all.slice(0, MAX_STATUS_OBJECTS);
      if (last && last.objects.length === objects.length && objects.every((o, i) => sameObjectResult(o, last.objects[i]!))) return last;
      const json = JSON.stringify(objects.map((o) => objectResultJson({ ...o, message: truncate(o.message, MAX_OBJECT_MESSAGE) })));
      const entry = { all, objects, json, hash: createHash("sha1").update(json).digest("base64") };
      encoded.delete(bundleDigest);
      if (encoded.size >= MAX_ENCODED) encoded.delete(encoded.keys().next().value!);
      encoded.set(bundleDigest, entry);
      return entry;
    },
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
