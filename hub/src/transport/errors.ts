import { RpcError } from "@gitfleet/shared";
import { HubError } from "../errors.js";

/**
 * The one mapping from what the domain throws to the wire's error (reason → gRPC status; Connect
 * uses the same numbers). Undefined for anything untyped: the caller logs it and sends INTERNAL.
 */
export function typedRpcError(err: unknown): RpcError | undefined {
  if (err instanceof HubError) return new RpcError(err.reason, err.message);
  if (err instanceof RpcError) return err;
  return undefined;
}

/** typedRpcError, or INTERNAL with the cause logged (never sent). */
export function toRpcError(err: unknown, onUnexpected: (err: unknown) => void): RpcError {
  const typed = typedRpcError(err);
  if (typed) return typed;
  onUnexpected(err);
  return RpcError.from(err);
}
