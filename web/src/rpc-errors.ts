import { Code, ConnectError } from "@connectrpc/connect";

export function isUnauthenticated(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Unauthenticated;
}

export function errorText(err: unknown): string {
  return ConnectError.from(err).rawMessage;
}

/** Why sign-in failed, in words: a refused token says where the right one is; anything else is the hub out of reach. */
export function loginError(err: unknown): string {
  return isUnauthenticated(err) ? "That token was refused. Use the hub's admin token (DATA_DIR/admin-token)." : `Cannot reach the hub: ${errorText(err)}`;
}
