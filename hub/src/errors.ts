import type { ErrorReason } from "@gitfleet/shared";

/**
 * A failure the domain reports to whoever called it: a closed reason (what a client can branch on)
 * and a message that names the thing (repo, path, revision, object, field). Domain code throws only
 * this; each transport maps the reason to its own codes in one place (gRPC: transport/grpc/handlers.ts).
 */
export class HubError extends Error {
  constructor(
    readonly reason: ErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "HubError";
  }
}
