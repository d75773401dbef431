import * as grpc from "@grpc/grpc-js";
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethod,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";

type Methods<S> = S extends GenService<infer M> ? M : never;

/** Told the encoded size of each response a client receives, by method name (measurements). */
export type OnResponseBytes = (method: string, bytes: number) => void;

/** grpc-js definitions derived from a protobuf-es service descriptor (no proto-loader). */
export function serviceDefinition(service: GenService<GenServiceMethods>, onResponse?: OnResponseBytes): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods as DescMethod[]) {
    const decode = deserializer(method.output);
    def[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: serializer(method.input) as (v: unknown) => Buffer,
      requestDeserialize: deserializer(method.input),
      responseSerialize: serializer(method.output) as (v: unknown) => Buffer,
      // Counted as received, not encoded again to be measured.
      responseDeserialize: onResponse ? (bytes: Buffer) => (onResponse(method.name, bytes.length), decode(bytes)) : decode,
      originalName: method.name,
    };
  }
  return def;
}

function serializer(schema: DescMessage) {
  return (value: MessageInitShape<DescMessage>) => {
    const bytes = toBinary(schema, create(schema, value));
    // A view of the encoded bytes: Buffer.from(bytes) would copy every message sent.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(schema: DescMessage) {
  return (bytes: Buffer) => fromBinary(schema, bytes);
}

type In<M> = M extends { input: infer I extends DescMessage } ? MessageShape<I> : never;
type OutInit<M> = M extends { output: infer O extends DescMessage } ? MessageInitShape<O> : never;
type Out<M> = M extends { output: infer O extends DescMessage } ? MessageShape<O> : never;

/** Server-side handler shapes, one per method kind. */
export type ServiceHandlers<S> = {
  [K in keyof Methods<S>]: Methods<S>[K] extends { methodKind: "unary" }
    ? grpc.handleUnaryCall<In<Methods<S>[K]>, OutInit<Methods<S>[K]>>
    : Methods<S>[K] extends { methodKind: "server_streaming" }
      ? grpc.handleServerStreamingCall<In<Methods<S>[K]>, OutInit<Methods<S>[K]>>
      : Methods<S>[K] extends { methodKind: "bidi_streaming" }
        ? grpc.handleBidiStreamingCall<In<Methods<S>[K]>, OutInit<Methods<S>[K]>>
        : never;
};

/** What a transport tells a handler of its call: when the caller gave up, and who the authenticated caller is (the audit log's actor). */
export interface ApiCall {
  signal: AbortSignal;
  actor: string;
}

/** Transport-free handler shapes: the decoded request in, a response (or a stream of them) out. */
export type ApiHandlers<S> = {
  [K in keyof Methods<S>]: Methods<S>[K] extends { methodKind: "unary" }
    ? (req: In<Methods<S>[K]>, call: ApiCall) => Promise<OutInit<Methods<S>[K]>>
    : Methods<S>[K] extends { methodKind: "server_streaming" }
      ? (req: In<Methods<S>[K]>, call: ApiCall) => AsyncIterable<OutInit<Methods<S>[K]>>
      : never;
};

/** Client method shapes: unary returns a promise, streams return grpc-js call objects. */
export type ServiceClient<S> = {
  [K in keyof Methods<S>]: Methods<S>[K] extends { methodKind: "unary" }
    ? (req: OutInitIn<Methods<S>[K]>, options?: CallOptions) => Promise<Out<Methods<S>[K]>>
    : Methods<S>[K] extends { methodKind: "server_streaming" }
      ? (req: OutInitIn<Methods<S>[K]>, options?: CallOptions) => grpc.ClientReadableStream<Out<Methods<S>[K]>>
      : Methods<S>[K] extends { methodKind: "bidi_streaming" }
        ? (options?: CallOptions) => grpc.ClientDuplexStream<OutInitIn<Methods<S>[K]>, Out<Methods<S>[K]>>
        : never;
} & { close(): void; raw: grpc.Client };

type OutInitIn<M> = M extends { input: infer I extends DescMessage } ? MessageInitShape<I> : never;

export interface CallOptions {
  metadata?: grpc.Metadata;
  deadlineMs?: number;
  /** Unary calls: cancelled (rejected CANCELLED) when it aborts. */
  signal?: AbortSignal;
}

export function createClient<S extends GenService<GenServiceMethods>>(
  service: S,
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
  onResponse?: OnResponseBytes,
): ServiceClient<S> {
  const Ctor = grpc.makeGenericClientConstructor(serviceDefinition(service, onResponse), service.name);
  const raw = new Ctor(address, credentials, options) as unknown as grpc.Client & Record<string, Function>;
  const client: Record<string, unknown> = { raw, close: () => raw.close() };
  for (const method of service.methods as DescMethod[]) {
    const fn = raw[method.localName]!.bind(raw);
    const callOpts = (o?: CallOptions): grpc.CallOptions =>
      o?.deadlineMs ? { deadline: Date.now() + o.deadlineMs } : {};
    const md = (o?: CallOptions) => o?.metadata ?? new grpc.Metadata();
    switch (method.methodKind) {
      case "unary":
        client[method.localName] = (req: unknown, o?: CallOptions) =>
          new Promise((resolve, reject) => {
            const signal = o?.signal;
            const call = fn(req, md(o), callOpts(o), (err: grpc.ServiceError | null, res: unknown) => {
              signal?.removeEventListener("abort", cancel);
              if (err) reject(err);
              else resolve(res);
            }) as grpc.ClientUnaryCall;
            const cancel = () => call.cancel();
            if (signal?.aborted) cancel();
            else signal?.addEventListener("abort", cancel, { once: true });
          });
        break;
      case "server_streaming":
        client[method.localName] = (req: unknown, o?: CallOptions) => fn(req, md(o), callOpts(o));
        break;
      case "bidi_streaming":
        client[method.localName] = (o?: CallOptions) => fn(md(o), callOpts(o));
        break;
      default:
        throw new Error(`unsupported method kind ${method.methodKind}`);
    }
  }
  return client as ServiceClient<S>;
}
