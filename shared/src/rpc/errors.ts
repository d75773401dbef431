import * as grpc from "@grpc/grpc-js";

/** Why a call failed, in words a client can branch on; sent as trailing metadata "gitfleet-reason". */
export type ErrorReason =
  | "TOKEN_UNKNOWN"
  | "TOKEN_EXPIRED"
  | "TOKEN_EXHAUSTED"
  | "TOKEN_REVOKED"
  | "CLUSTER_NAME_TAKEN"
  | "CLUSTER_UNKNOWN"
  | "CLUSTER_DELETED"
  | "CLUSTER_PENDING"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "INVALID_ARGUMENT"
  | "FAILED_PRECONDITION"
  | "UNAVAILABLE"
  | "INTERNAL";

const REASON_KEY = "gitfleet-reason";
/** A busy hub's hint: wait at least this long before calling again (clients add their jittered backoff). */
const RETRY_AFTER_KEY = "gitfleet-retry-after-ms";

const codeOf: Record<ErrorReason, grpc.status> = {
  TOKEN_UNKNOWN: grpc.status.UNAUTHENTICATED,
  TOKEN_EXPIRED: grpc.status.UNAUTHENTICATED,
  TOKEN_EXHAUSTED: grpc.status.PERMISSION_DENIED,
  TOKEN_REVOKED: grpc.status.UNAUTHENTICATED,
  CLUSTER_NAME_TAKEN: grpc.status.ALREADY_EXISTS,
  CLUSTER_UNKNOWN: grpc.status.UNAUTHENTICATED,
  CLUSTER_DELETED: grpc.status.PERMISSION_DENIED,
  CLUSTER_PENDING: grpc.status.FAILED_PRECONDITION,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  FORBIDDEN: grpc.status.PERMISSION_DENIED,
  NOT_FOUND: grpc.status.NOT_FOUND,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  INTERNAL: grpc.status.INTERNAL,
};

/** The one error type at the RPC boundary: a closed set of reasons, each with a grpc status. */
export class RpcError extends Error {
  readonly code: grpc.status;
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "RpcError";
    this.code = codeOf[reason];
  }

  /** Normalises anything thrown in a handler or received by a client. */
  static from(err: unknown): RpcError {
    if (err instanceof RpcError) return err;
    const e = err as Partial<grpc.ServiceError> | undefined;
    if (e && typeof e.code === "number" && e.metadata instanceof grpc.Metadata) {
      const reason = (e.metadata.get(REASON_KEY)[0] as ErrorReason | undefined) ?? reasonForCode(e.code);
      const retryAfterMs = Number(e.metadata.get(RETRY_AFTER_KEY)[0] ?? NaN);
      return new RpcError(reason, e.details || e.message || "unknown error", Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : undefined);
    }
    return new RpcError("INTERNAL", "internal error");
  }

  toServiceError(): Partial<grpc.ServiceError> {
    const metadata = new grpc.Metadata();
    metadata.set(REASON_KEY, this.reason);
    if (this.retryAfterMs) metadata.set(RETRY_AFTER_KEY, String(Math.round(this.retryAfterMs)));
    return { code: this.code, details: this.message, metadata };
  }
}

function reasonForCode(code: grpc.status): ErrorReason {
  switch (code) {
    case grpc.status.UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc.status.NOT_FOUND:
      return "NOT_FOUND";
    case grpc.status.INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc.status.FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
    case grpc.status.CANCELLED:
    case grpc.status.RESOURCE_EXHAUSTED:
      return "UNAVAILABLE";
    default:
      return "INTERNAL";
  }
}

const PERMANENT = new Set<ErrorReason>([
  "TOKEN_UNKNOWN",
  "TOKEN_EXPIRED",
  "TOKEN_EXHAUSTED",
  "TOKEN_REVOKED",
  "CLUSTER_NAME_TAKEN",
  "CLUSTER_UNKNOWN",
  "CLUSTER_DELETED",
  "INVALID_ARGUMENT",
]);

/** True when retrying the same call cannot help (an agent then exits non-zero). */
export function isPermanent(err: RpcError): boolean {
  return PERMANENT.has(err.reason);
}
