import * as grpc from "@grpc/grpc-js";
import type { HubMetrics } from "../../metrics/index.js";

/** Times every unary method of a service implementation, labelled by method and status code. */
export function instrumentUnary(
  def: grpc.ServiceDefinition,
  impl: grpc.UntypedServiceImplementation,
  histogram: HubMetrics["grpcSeconds"],
): grpc.UntypedServiceImplementation {
  const out: grpc.UntypedServiceImplementation = { ...impl };
  for (const [name, method] of Object.entries(def)) {
    const handler = impl[name];
    if (method.requestStream || method.responseStream || !handler) continue;
    const label = method.originalName ?? name;
    out[name] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const done = histogram.startTimer({ method: label });
      (handler as grpc.handleUnaryCall<unknown, unknown>)(call, (err, ...rest) => {
        done({ code: grpc.status[err?.code ?? grpc.status.OK] ?? String(err?.code) });
        callback(err, ...rest);
      });
    }) as grpc.handleUnaryCall<unknown, unknown>;
  }
  return out;
}
