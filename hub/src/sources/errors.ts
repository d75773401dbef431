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

/** Why a Helm repository could not give a chart; each is recorded on the Source and retried on the next poll. */
export type HelmRepoReason = "unreachable" | "unauthorized" | "http-status" | "redirect" | "too-large" | "bad-index" | "outside-repository" | "digest-mismatch" | "bad-archive";

export class HelmRepoError extends SourceFetchError {
  override name = "HelmRepoError";
  constructor(source: string, url: string, readonly reason: HelmRepoReason, detail: string) {
    super(source, url, detail);
  }
}

/** The chart is not in the repository's index, or none of its versions satisfies the Source's version. */
export class ChartVersionNotFoundError extends RevisionNotFoundError {
  override name = "ChartVersionNotFoundError";
  constructor(source: string, chart: string, range: string, readonly available: readonly string[]) {
    super(source, `chart "${chart}" version "${range}"`, available.length === 0 ? `the repository's index.yaml has no chart "${chart}"` : `available: ${available.join(", ")}`);
  }
}
