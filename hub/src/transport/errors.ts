import { RpcError } from "@gitfleet/shared";
import { HubError } from "../errors.js";
import { storeUnavailable } from "../store/index.js";

/**
 * The one mapping from what the domain throws to the wire's error (reason → gRPC status; Connect
 * uses the same numbers). A database that is busy or out of reach is UNAVAILABLE, which clients
 * retry. Undefined for anything untyped: the caller logs it and sends INTERNAL.
 */
export function typedRpcError(err: unknown): RpcError | undefined {
  if (err instanceof HubError) return new RpcError(err.reason, err.message);
  if (err instanceof RpcError) return err;
  const unavailable = storeUnavailable(err);
  if (unavailable) return new RpcError("UNAVAILABLE", unavailable);
  return undefined;
}

/** typedRpcError, or INTERNAL with the cause logged (never sent). */
export function toRpcError(err: unknown, onUnexpected: (err: unknown) => void): RpcError {
  const typed = typedRpcError(err);
  if (typed) return typed;
  onUnexpected(err);
  return RpcError.from(err);
}
