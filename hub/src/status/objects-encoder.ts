import { createHash } from "node:crypto";
import type { ObjectResult } from "@gitfleet/shared";
import { MAX_OBJECT_MESSAGE, MAX_STATUS_OBJECTS, truncate } from "../config/limits.js";
import { objectResultJson, sameObjectResult } from "./object-json.js";

// Bundles whose last encoded results are kept (one or a few per App being delivered).
const MAX_ENCODED = 64;

/** Per-object results as stored: a StatusObjects row's JSON and the digest AppStatus rows name it by ("" for none). */
export interface EncodedObjects {
  json: string;
  digest: string;
}

const NONE: EncodedObjects = { json: "[]", digest: "" };

/**
 * Encodes per-object results for StatusObjects, remembering the last results per bundle digest: in a
 * commit thousands of agents report the same objects for a bundle, twice each, and building and
 * hashing their JSON every time cost more than the row's write.
 */
export function createObjectsEncoder() {
  const encoded = new Map<string, EncodedObjects & { all: readonly ObjectResult[]; objects: readonly ObjectResult[] }>();
  /** The objects' JSON as stored (capped in number and message size) and its content digest. */
  return function encode(bundleDigest: string, all: readonly ObjectResult[]): EncodedObjects {
    if (all.length === 0) return NONE;
    const last = encoded.get(bundleDigest);
    // The same array: the hub's decoder shares results byte for byte equal (transport/grpc/connect-decoder.ts).
    if (last?.all === all) return last;
    const objects = all.slice(0, MAX_STATUS_OBJECTS);
    if (last && last.objects.length === objects.length && objects.every((o, i) => sameObjectResult(o, last.objects[i]!))) return last;
    const json = JSON.stringify(objects.map((o) => objectResultJson({ ...o, message: truncate(o.message, MAX_OBJECT_MESSAGE) })));
    const entry = { all, objects, json, digest: `sha256:${createHash("sha256").update(json).digest("hex")}` };
    encoded.delete(bundleDigest);
    if (encoded.size >= MAX_ENCODED) encoded.delete(encoded.keys().next().value!);
    encoded.set(bundleDigest, entry);
    return entry;
  };
}
export type ObjectsEncoder = ReturnType<typeof createObjectsEncoder>;
