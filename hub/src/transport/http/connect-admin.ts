import type http from "node:http";
import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AdminService, type ApiCall, type ApiHandlers, type Logger } from "@gitfleet/shared";
import { bearerToken } from "../../registry/admin-token.js";
import { toRpcError } from "../errors.js";

/** Where the dashboard reaches the admin API: /api/gitfleet.v1.AdminService/Method. */
export const CONNECT_PREFIX = "/api";
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

type Handler = (req: unknown, call: ApiCall) => unknown;

/**
 * The admin API for the browser, over the Connect protocol on the hub's HTTP port: the same
 * handlers and the same admin-token check as the CLI's gRPC, from the same proto/ contract.
 */
export function createConnectAdmin(api: ApiHandlers<typeof AdminService>, authorizeToken: (token: string | undefined, method: string) => Promise<string>, log: Logger) {
  const authorize = (ctx: HandlerContext) => authorizeToken(bearerToken(ctx.requestHeader.get("authorization") ?? undefined), ctx.method.name);
  const impl: Record<string, unknown> = {};
  for (const method of AdminService.methods as DescMethod[]) {
    const fn = (api as Record<string, Handler>)[method.localName]!;
    impl[method.localName] =
      method.methodKind === "server_streaming"
        ? async function* (req: unknown, ctx: HandlerContext) {
            try {
              const actor = await authorize(ctx);
              yield* fn(req, { signal: ctx.signal, actor }) as AsyncIterable<unknown>;
            } catch (err) {
              throw toConnectError(log, method.name, err);
            }
          }
        : async (req: unknown, ctx: HandlerContext) => {
            try {
              const actor = await authorize(ctx);
              return await (fn(req, { signal: ctx.signal, actor }) as Promise<unknown>);
            } catch (err) {
              throw toConnectError(log, method.name, err);
            }
          };
  }
  const handler = connectNodeAdapter({
    routes: (router) => router.service(AdminService, impl as never),
    requestPathPrefix: CONNECT_PREFIX,
    // Browsers speak Connect; the CLI keeps gRPC on its own port.
    grpc: false,
    grpcWeb: false,
    readMaxBytes: MAX_REQUEST_BYTES,
  });
  return (req: http.IncomingMessage, res: http.ServerResponse) => handler(req, res);
}

/** Typed errors keep their code and message; anything else is INTERNAL, its cause logged and never sent. */
function toConnectError(log: Logger, method: string, err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const e = toRpcError(err, (cause) => log.error({ method, err: cause }, "unexpected error in handler"));
  // gRPC status numbers and Connect codes are the same numbers.
  return new ConnectError(e.message, e.code as number as Code);
}
