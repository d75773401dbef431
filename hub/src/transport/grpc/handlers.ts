import * as grpc from "@grpc/grpc-js";
import { RpcError, type Logger } from "@gitfleet/shared";

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
  const value = metadata.get("authorization")[0];
  if (typeof value !== "string") return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(value);
  return m?.[1]?.trim();
}
