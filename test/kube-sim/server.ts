// HTTP front: fault injection, authentication, routing of the Kubernetes REST paths to the cluster's verbs.
import type { IncomingMessage, ServerResponse } from "node:http";
import { constants as h2, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { Auth, Principal } from "./auth.js";
import { type Cluster, type DeleteOpts, type WriteCtx } from "./cluster.js";
import { aggregated, apiGroup, apiGroupList, apiResourceList, apiVersions, VERSION_INFO } from "./discovery.js";
import { ApiError, badRequest, internal, methodNotAllowed, unsupportedMediaType } from "./errors.js";
import type { Faults } from "./faults.js";
import type { ResourceType } from "./kinds.js";
import { OPENAPI_V2_PROTOBUF, openApiV2, type OpenApi } from "./openapi.js";
import { decodeProtobufObject, ProtobufError } from "./protobuf.js";
import { toTable } from "./table.js";
import { startWatch, type WatchRegistry } from "./watch.js";
import type { KObj } from "./util.js";

export interface HandlerDeps { cluster: Cluster; auth: Auth; faults: Faults; openapi: OpenApi; watches: WatchRegistry; bookmarkIntervalMs: number }

/** A request over HTTP/1.1 or, over TLS, HTTP/2 (as an API server, kube-sim offers both). */
export type Req = IncomingMessage | Http2ServerRequest;
export type Res = ServerResponse | Http2ServerResponse;

/** The client went away or the response is complete: nothing more can be written. */
export function closed(res: Res): boolean {
  return res.writableEnded || ("stream" in res ? res.stream.destroyed : res.destroyed);
}

/** A dropped connection, as the network would drop it; over HTTP/2 only this request's stream is reset. */
function drop(req: Req): void {
  if ("stream" in req) req.stream.close(h2.NGHTTP2_INTERNAL_ERROR);
  else req.socket.destroy();
}

const TOKEN_PREFIX = /^\/t\/([^/]+)(\/.*)?$/;
const PUBLIC = new Set(["/version", "/healthz", "/livez", "/readyz"]);

export function send(res: Res, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || closed(res)) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, { "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json", "Cache-Control": "no-cache, private", ...headers });
  res.end(text);
}

function sendError(res: Res, e: unknown): void {
  const err = e instanceof ApiError ? e : internal(e);
  if (!(e instanceof ApiError)) console.error("kube-sim: internal error", e);
  send(res, err.code, err.toStatus(), err.headers);
}

function readBody(req: Req): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** HTTP/2 has no transfer-encoding, and content-length is optional there: a request without a body ends with its headers. */
function hasBody(req: Req): boolean {
  if ("stream" in req) return !req.stream.endAfterHeaders;
  return req.headers["content-length"] !== undefined || Boolean(req.headers["transfer-encoding"]);
}

const PROTOBUF = "application/vnd.kubernetes.protobuf";

/** the request body as JSON text; protobuf objects of the kinds kubectl's generators create are decoded */
async function bodyText(req: Req, verb: string): Promise<string> {
  const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim();
  if (/cbor/.test(type) || (type === PROTOBUF && verb !== "create" && verb !== "update")) {
    throw unsupportedMediaType(type, ["application/json", "application/yaml", PROTOBUF]);
  }
  const buf = await readBody(req);
  if (type !== PROTOBUF) return buf.toString("utf8");
  try {
    return JSON.stringify(decodeProtobufObject(buf));
  } catch (e) {
    if (!(e instanceof ProtobufError)) throw e;
    throw new ApiError(415, "UnsupportedMediaType", `kube-sim cannot decode this protobuf body (${e.message}); send it as JSON, e.g. with kubectl create -f or kubectl apply`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FAULT_STATUS: Record<number, [string, string]> = {
  429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
  500: ["InternalError", "an error on the server (\"\") has prevented the request from succeeding"],
  503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
};

export function createHandler(d: HandlerDeps) {
  return async (req: Req, res: Res): Promise<void> => {
    try {
      const url = new URL(req.url ?? "/", "http://x");
      // kubectl sends no credentials over plain http, so kubeconfigs carry the token as a path prefix: /t/TOKEN/api/...
      let pathToken: string | undefined;
      let prefix = "";
      for (let m = TOKEN_PREFIX.exec(url.pathname); m; m = TOKEN_PREFIX.exec(url.pathname)) {
        pathToken = decodeURIComponent(m[1]!);
        prefix = `/t/${m[1]}`;
        url.pathname = m[2] || "/";
      }
      const method = (req.method ?? "GET").toUpperCase();
      const isWatch = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1" || url.pathname.includes("/watch/");
      const fault = d.faults.decide(method, url.pathname, isWatch);
      if (fault.latencyMs) await sleep(fault.latencyMs);
      if (fault.drop) return drop(req);
      if (fault.error) {
        const [reason, message] = FAULT_STATUS[fault.error]!;
        const details = fault.error === 429 ? { retryAfterSeconds: 1 } : undefined;
        throw new ApiError(fault.error, reason, message, details, fault.error === 429 ? { "Retry-After": "1" } : undefined);
      }
      if (PUBLIC.has(url.pathname)) {
        if (url.pathname === "/version") return send(res, 200, VERSION_INFO);
        return send(res, 200, "ok");
      }
      const p = d.auth.authenticate(req.headers.authorization ?? (pathToken !== undefined ? `Bearer ${pathToken}` : undefined));
      await route(d, req, res, url, method, p, prefix, fault.watchEndAfterMs);
    } catch (e) {
      sendError(res, e);
    }
  };
}

async function route(d: HandlerDeps, req: Req, res: Res, url: URL, method: string, p: Principal, prefix: string, watchEndAfterMs?: number): Promise<void> {
  const seg = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const reg = d.cluster.registry;
  const accept = String(req.headers.accept ?? "");
  if (seg.length === 0) return send(res, 200, { paths: ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"] });
  if (seg[0] === "openapi") {
    if (seg[1] === "v2" && seg.length === 2) {
      const doc = openApiV2(/protobuf/.test(accept));
      if (!Buffer.isBuffer(doc)) return send(res, 200, doc);
      res.writeHead(200, { "Content-Type": OPENAPI_V2_PROTOBUF, "Cache-Control": "no-cache, private" });
      return void res.end(doc);
    }
    if (seg[1] === "v3" && seg.length === 2) return send(res, 200, d.openapi.index(prefix));
    if (seg[1] === "v3") {
      const doc = d.openapi.doc(seg.slice(2).join("/"));
      if (doc) return send(res, 200, JSON.parse(doc));
    }
    throw new ApiError(404, "NotFound", "the server could not find the requested resource");
  }
  if (seg[0] === "api" || seg[0] === "apis") {
    const legacy = seg[0] === "api";
    if (seg.length === 1) {
      const m = /as=APIGroupDiscoveryList/.test(accept) ? /v=(v2beta1|v2)\b[^,]*as=APIGroupDiscoveryList|as=APIGroupDiscoveryList[^,]*v=(v2beta1|v2)\b/.exec(accept) : null;
      if (m) {
        const v = (m[1] ?? m[2]) as "v2" | "v2beta1";
        return send(res, 200, aggregated(reg, legacy, v), { "Content-Type": `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList` });
      }
      return send(res, 200, legacy ? apiVersions() : apiGroupList(reg));
    }
    const [group, version, rest] = legacy ? ["", seg[1]!, seg.slice(2)] : [seg[1]!, seg[2], seg.slice(3)];
    if (!version) {
      const g = apiGroup(reg, group);
      if (g) return send(res, 200, g);
      throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    }
    if (rest.length === 0) {
      const l = apiResourceList(reg, group, version);
      if (l) return send(res, 200, l);
      throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    }
    return resource(d, req, res, url, method, p, group, version, rest, watchEndAfterMs);
  }
  throw new ApiError(404, "NotFound", "the server could not find the requested resource");
}

const VERB: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch" };

async function resource(d: HandlerDeps, req: Req, res: Res, url: URL, method: string, p: Principal,
  group: string, version: string, rest: string[], watchEndAfterMs?: number): Promise<void> {
  const q = url.searchParams;
  let watch = q.get("watch") === "true" || q.get("watch") === "1";
  if (rest[0] === "watch") { watch = true; rest = rest.slice(1); }
  let ns: string | undefined, plural: string, name: string | undefined, sub: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3 && !(group === "" && rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))) {
    [ns, plural, name, sub] = [rest[1], rest[2]!, rest[3], rest[4]];
  } else {
    [plural, name, sub] = [rest[0]!, rest[1], rest[2]];
  }
  const notFoundRes = () => new ApiError(404, "NotFound", "the server could not find the requested resource");
  const rt = d.cluster.registry.byResource(group, version, plural);
  if (!rt || rest.length > (ns ? 5 : 3)) throw notFoundRes();
  if (!rt.namespaced && ns) throw notFoundRes();
  if (sub && !((sub === "status" && rt.status) || (sub === "scale" && rt.scale) || (sub === "finalize" && rt.kind === "Namespace"))) throw notFoundRes();
  const isNsObj = rt.kind === "Namespace" && rt.group === "";
  const authNs = isNsObj ? name : ns;

  let verb: string;
  if (method === "GET") verb = name ? "get" : watch ? "watch" : "list";
  else if (method === "DELETE") verb = name ? "delete" : "deletecollection";
  else verb = VERB[method] ?? "";
  if (!verb) throw methodNotAllowed();
  if (verb === "create" && name) throw methodNotAllowed();
  if ((verb === "update" || verb === "patch") && !name) throw methodNotAllowed();
  d.auth.authorize(p, verb, rt, authNs, name);

  const ctx: WriteCtx = {
    manager: q.get("fieldManager") ?? undefined,
    userAgent: String(req.headers["user-agent"] ?? ""),
    dryRun: q.getAll("dryRun").includes("All"),
    force: q.get("force") === "true",
    fieldValidation: q.get("fieldValidation") ?? undefined,
    warnings: [],
  };
  const warnHeaders = (): Record<string, string> =>
    ctx.warnings?.length ? { Warning: ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") } : {};
  const c = d.cluster;
  const accept = String(req.headers.accept ?? "");
  const table = /as=Table/.test(accept) ? (/as=Table;v=v1beta1|v=v1beta1;[^,]*as=Table/.test(accept) && !/as=Table;v=v1;|v=v1;[^,]*as=Table/.test(accept) ? "v1beta1" : "v1") : undefined;

  switch (verb) {
    case "get": {
      if (sub === "scale") return send(res, 200, c.getScale(rt, ns, name!));
      const o = c.get(rt, ns, name!);
      if (table) return send(res, 200, toTable(rt, [o], { resourceVersion: o.metadata.resourceVersion }, q.get("includeObject"), table));
      return send(res, 200, o);
    }
    case "list": {
      const limit = q.get("limit") ? Number(q.get("limit")) : undefined;
      const l = c.list(rt, ns, { labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined, limit, continue: q.get("continue") ?? undefined,
        resourceVersion: q.get("resourceVersion") ?? undefined, resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined });
      const meta: KObj = { resourceVersion: l.rv };
      if (l.continue) meta.continue = l.continue;
      if (l.remaining !== undefined) meta.remainingItemCount = l.remaining;
      if (table) return send(res, 200, toTable(rt, l.items, meta, q.get("includeObject"), table));
      const items = rt.crd ? l.items : l.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
      return send(res, 200, { kind: rt.listKind, apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, metadata: meta, items });
    }
    case "watch":
      return startWatch(d, req, res, rt, ns, q, table, watchEndAfterMs);
  }

  const raw = method === "DELETE" && !hasBody(req) ? "" : await bodyText(req, verb);
  const parseJson = (): unknown => {
    try { return JSON.parse(raw); } catch (e) { throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`); }
  };
  switch (verb) {
    case "create": {
      const o = c.create(rt, ns, parseJson(), ctx);
      return send(res, 201, o, warnHeaders());
    }
    case "update": {
      if (sub === "scale") return send(res, 200, c.writeScale(rt, ns, name!, "PUT", "application/json", raw, ctx));
      const o = c.update(rt, ns, name!, parseJson(), ctx, sub);
      return send(res, 200, o, warnHeaders());
    }
    case "patch": {
      const ct = String(req.headers["content-type"] ?? "");
      if (sub === "scale") return send(res, 200, c.writeScale(rt, ns, name!, "PATCH", ct, raw, ctx));
      const r = c.patch(rt, ns, name!, ct, raw, ctx, sub);
      return send(res, r.created ? 201 : 200, r.obj, warnHeaders());
    }
    case "delete": {
      const body = (raw.trim() ? parseJson() : {}) as KObj;
      const opts: DeleteOpts = {
        propagationPolicy: body.propagationPolicy ?? q.get("propagationPolicy") ?? (body.orphanDependents === true || q.get("orphanDependents") === "true" ? "Orphan" : undefined),
        preconditions: body.preconditions,
        gracePeriodSeconds: body.gracePeriodSeconds,
      };
      if ((body.dryRun ?? []).includes("All")) ctx.dryRun = true;
      const r = c.delete(rt, ns, name!, opts, ctx);
      // like the apiserver: 202 only for an object still there when the client asked orphanDependents=false
      const accepted = !r.gone && (body.orphanDependents === false || q.get("orphanDependents") === "false");
      return send(res, accepted ? 202 : 200, r.obj);
    }
    case "deletecollection": {
      const body = (raw.trim() ? parseJson() : {}) as KObj;
      const items = c.deleteCollection(rt, ns, { labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined },
        { propagationPolicy: body.propagationPolicy ?? q.get("propagationPolicy") ?? undefined }, ctx);
      return send(res, 200, { kind: rt.listKind, apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, metadata: { resourceVersion: String(c.store.rv) }, items });
    }
  }
  throw methodNotAllowed();
}

export type { ResourceType };
