/** Errors of the sources module; messages never carry credentials (see redact). */
export class SourceSpecError extends Error {
  override name = "SourceSpecError";
  constructor(readonly field: string, message: string) {
    super(`source spec: ${field}: ${message}`);
  }
}

export class SourceFetchError extends Error {
  override name = "SourceFetchError";
  constructor(readonly source: string, readonly url: string, gitMessage: string) {
    super(redact(`fetching source "${source}" from ${url}: ${gitMessage.trim()}`));
    this.url = redact(url);
  }
}

export class RevisionNotFoundError extends Error {
  override name = "RevisionNotFoundError";
  constructor(readonly source: string, readonly ref: string, detail = "") {
    super(redact(`source "${source}": no revision matches ${ref}${detail ? `: ${detail.trim()}` : ""}`));
  }
}

export class CheckoutError extends Error {
  override name = "CheckoutError";
  constructor(readonly source: string, readonly sha: string, detail: string) {
    super(redact(`source "${source}": checking out ${sha}: ${detail.trim()}`));
  }
}

/** Masks URL userinfo (`https://user:pass@`) and Authorization header values anywhere in text. */
export function redact(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@")
    .replace(/(authorization:\s*)(basic|bearer)\s+\S+/gi, "$1$2 ***");
}
