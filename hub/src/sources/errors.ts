import { redactCredentials } from "@gitfleet/shared";

/** Errors of the sources module; messages never carry credentials (redactCredentials). */
export class SourceSpecError extends Error {
  override name = "SourceSpecError";
  constructor(readonly field: string, message: string) {
    super(`source spec: ${field}: ${message}`);
  }
}

export class SourceFetchError extends Error {
  override name = "SourceFetchError";
  constructor(readonly source: string, readonly url: string, gitMessage: string) {
    super(redactCredentials(`fetching source "${source}" from ${url}: ${gitMessage.trim()}`));
    this.url = redactCredentials(url);
  }
}

export class RevisionNotFoundError extends Error {
  override name = "RevisionNotFoundError";
  constructor(readonly source: string, readonly ref: string, detail = "") {
    super(redactCredentials(`source "${source}": no revision matches ${ref}${detail ? `: ${detail.trim()}` : ""}`));
  }
}

export class CheckoutError extends Error {
  override name = "CheckoutError";
  constructor(readonly source: string, readonly sha: string, detail: string) {
    super(redactCredentials(`source "${source}": checking out ${sha}: ${detail.trim()}`));
  }
}
