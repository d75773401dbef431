// Minimal OpenAPI v3: enough for kubectl to see that PATCH takes fieldValidation (so it validates server-side).
import { createHash } from "node:crypto";
import { apiVersionOf, type Registry, type ResourceType } from "./kinds.js";
import { lenField, message } from "./protowire.js";
import type { KObj } from "./util.js";

export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/**
 * /openapi/v2 without definitions. kubectl falls back to it when a kind is missing from OpenAPI v3 and asks for
 * protobuf (a gnostic openapi_v2.Document); a kind it has no definition for is then left to the server, as
 * on a real cluster with an unknown kind, so the apply reports `no matches for kind` and goes on with the file.
 */
export function openApiV2(protobuf: boolean): Buffer | KObj {
  const info = { title: "Kubernetes", version: "v1.32.4" };
  if (!protobuf) return { swagger: "2.0", info, paths: {}, definitions: {} };
  // Document: swagger = 1, info = 2 (title = 1, version = 2), paths = 8
  return message(lenField(1, "2.0"), lenField(2, message(lenField(1, info.title), lenField(2, info.version))), lenField(8, message()));
}

const PARAMS = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map((name) => ({
  name, in: "query", uniqueItems: true, schema: { type: name === "force" ? "boolean" : "string" },
}));

function prefix(gv: string): string {
  return gv.includes("/") ? `apis/${gv}` : `api/${gv}`;
}

export class OpenApi {
  private cache = new Map<string, { epoch: number; doc: string; hash: string }>();
  constructor(private readonly reg: Registry) {}

  private gvDoc(gv: string): { doc: string; hash: string } | undefined {
    const hit = this.cache.get(gv);
    if (hit && hit.epoch === this.reg.epoch) return hit;
    const types = this.reg.all().filter((t) => apiVersionOf(t) === gv);
    if (!types.length) return undefined;
    const paths: KObj = {};
    for (const t of types) {
      const base = `/${prefix(gv)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.plural}`;
      const gvk = { group: t.group, version: t.version, kind: t.kind };
      paths[`${base}/{name}`] = {
        get: op(t, "get", gvk),
        put: op(t, "put", gvk),
        patch: op(t, "patch", gvk),
        delete: op(t, "delete", gvk),
      };
      paths[base] = { get: op(t, "list", gvk), post: op(t, "post", gvk) };
    }
    const doc = JSON.stringify({
      openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.4" }, paths,
      components: { schemas: Object.fromEntries(types.filter((t) => t.schema).map((t) => [`${t.group}.${t.version}.${t.kind}`, {
        ...t.schema, "x-kubernetes-group-version-kind": [{ group: t.group, version: t.version, kind: t.kind }],
      }])) },
    });
    const entry = { epoch: this.reg.epoch, doc, hash: createHash("sha512").update(doc).digest("hex").slice(0, 128).toUpperCase() };
    this.cache.set(gv, entry);
    return entry;
  }

  index(urlPrefix = ""): KObj {
    const paths: KObj = {};
    for (const gv of this.reg.groupVersions().keys()) {
      const d = this.gvDoc(gv);
      if (d) paths[prefix(gv)] = { serverRelativeURL: `${urlPrefix}/openapi/v3/${prefix(gv)}?hash=${d.hash}` };
    }
    return { paths };
  }

  /** path like "apis/apps/v1" or "api/v1" */
  doc(path: string): string | undefined {
    const gv = path.startsWith("api/") ? path.slice(4) : path.startsWith("apis/") ? path.slice(5) : undefined;
    return gv ? this.gvDoc(gv)?.doc : undefined;
  }
}

function op(t: ResourceType, action: string, gvk: KObj): KObj {
  return {
    operationId: `${action}${t.kind}`,
    parameters: action === "patch" || action === "put" || action === "post" ? PARAMS : [],
    responses: { "200": { description: "OK" } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
  };
}
