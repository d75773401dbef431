// Minimal OpenAPI v3: enough for kubectl to see that PATCH takes fieldValidation (so it validates server-side).
import { createHash } from "node:crypto";
import { apiVersionOf, type Registry, type ResourceType } from "./kinds.js";
import type { KObj } from "./util.js";

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
