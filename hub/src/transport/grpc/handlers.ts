import * as grpc from "@grpc/grpc-js";
import type { DescMethod } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { ApiCall, ApiHandlers, Logger, ServiceHandlers } from "@gitfleet/shared";
import { bearerToken } from "../../registry/admin-token.js";
import { toRpcError } from "../errors.js";

/** Wraps a unary handler: typed errors go out with their reason, anything else as INTERNAL with its cause logged. */
export function unary<Req, Res>(log: Logger, method: string, fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(log, method, err)),
    );
  };
}

/** Domain errors become gRPC statuses (transport/errors.ts); anything untyped is INTERNAL, its cause only logged. */
export function toServiceError(log: Logger, method: string, err: unknown): Partial<grpc.ServiceError> {
  return toRpcError(err, (e) => log.error({ method, err: e }, "unexpected error in handler")).toServiceError();
}

export function bearer(metadata: grpc.Metadata): string | undefined {
  return bearerToken(metadata.get("authorization")[0]);
}

/** Who a call's metadata authenticates (its audit actor), or a typed error. */
type Authorize = (metadata: grpc.Metadata, method: string) => Promise<string>;
type Handler = (req: unknown, call: ApiCall) => unknown;

/** Serves transport-free handlers over grpc-js; `authorize` runs before every call. */
export function grpcHandlers<S extends GenService<GenServiceMethods>>(service: S, api: ApiHandlers<S>, log: Logger, authorize: Authorize): ServiceHandlers<S> {
  const out: Record<string, unknown> = {};
  for (const method of service.methods as DescMethod[]) {
    const fn = (api as Record<string, Handler>)[method.localName]!;
    if (method.methodKind === "unary") {
      out[method.localName] = unary(log, method.name, async (req, call) => {
        const actor = await authorize(call.metadata, method.name);
        return fn(req, { signal: new AbortController().signal, actor }) as Promise<unknown>;
      });
    } else if (method.methodKind === "server_streaming") {
      out[method.localName] = (call: grpc.ServerWritableStream<unknown, unknown>) => void stream(log, method.name, call, authorize, fn);
    } else {
      throw new Error(`${method.name}: only unary and server-streaming methods are served this way`);
    }
  }
  return out as ServiceHandlers<S>;
}

async function stream(log: Logger, method: string, call: grpc.ServerWritableStream<unknown, unknown>, authorize: Authorize, fn: Handler): Promise<void> {
  const abort = new AbortController();
  call.on("cancelled", () => abort.abort());
  try {
    const actor = await authorize(call.metadata, method);
    for await (const msg of fn(call.request, { signal: abort.signal, actor }) as AsyncIterable<unknown>) {
      if (abort.signal.aborted) break;
      call.write(msg);
    }
    call.end();
  } catch (err) {
    if (!abort.signal.aborted) call.destroy(toServiceError(log, method, err) as grpc.ServiceError);
  }
}
