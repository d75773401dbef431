import * as grpc from "@grpc/grpc-js";
import type { DescMethod } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import { RpcError, type ApiHandlers, type Logger, type ServiceHandlers } from "@gitfleet/shared";
import { bearerToken } from "../../registry/admin-token.js";

/** Wraps a unary handler: typed errors go out with their reason, anything else as INTERNAL with its cause logged. */
export function unary<Req, Res>(log: Logger, method: string, fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(log, method, err)),
    );
  };
}

export function toServiceError(log: Logger, method: string, err: unknown): Partial<grpc.ServiceError> {
  if (!(err instanceof RpcError)) log.error({ method, err }, "unexpected error in handler");
  return RpcError.from(err).toServiceError();
}

export function bearer(metadata: grpc.Metadata): string | undefined {
  return bearerToken(metadata.get("authorization")[0]);
}

/** Serves transport-free handlers over grpc-js; `authorize` runs before every call. */
export function grpcHandlers<S extends GenService<GenServiceMethods>>(
  service: S,
  api: ApiHandlers<S>,
  log: Logger,
  authorize: (metadata: grpc.Metadata, method: string) => Promise<void> | void,
): ServiceHandlers<S> {
  const out: Record<string, unknown> = {};
  for (const method of service.methods as DescMethod[]) {
    const fn = (api as Record<string, (req: unknown, signal: AbortSignal) => unknown>)[method.localName]!;
    if (method.methodKind === "unary") {
      out[method.localName] = unary(log, method.name, async (req, call) => {
        await authorize(call.metadata, method.name);
        return fn(req, new AbortController().signal) as Promise<unknown>;
      });
    } else if (method.methodKind === "server_streaming") {
      out[method.localName] = (call: grpc.ServerWritableStream<unknown, unknown>) => void stream(log, method.name, call, authorize, fn);
    } else {
      throw new Error(`${method.name}: only unary and server-streaming methods are served this way`);
    }
  }
  return out as ServiceHandlers<S>;
}

async function stream(
  log: Logger,
  method: string,
  call: grpc.ServerWritableStream<unknown, unknown>,
  authorize: (metadata: grpc.Metadata, method: string) => Promise<void> | void,
  fn: (req: unknown, signal: AbortSignal) => unknown,
): Promise<void> {
  const abort = new AbortController();
  call.on("cancelled", () => abort.abort());
  try {
    await authorize(call.metadata, method);
    for await (const msg of fn(call.request, abort.signal) as AsyncIterable<unknown>) {
      if (abort.signal.aborted) break;
      call.write(msg);
    }
    call.end();
  } catch (err) {
    if (!abort.signal.aborted) call.destroy(toServiceError(log, method, err) as grpc.ServiceError);
  }
}
