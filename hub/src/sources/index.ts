export { checkout } from "./checkout.js";
export { CheckoutError, redact, RevisionNotFoundError, SourceFetchError, SourceSpecError } from "./errors.js";
export type { GitCredentials } from "./git-env.js";
export { createMirrorCache, splitCredentials, type Mirror, type MirrorCache, type MirrorCacheOptions } from "./mirror-cache.js";
export { resolveRevision, type Revision } from "./resolve.js";
export { DEFAULT_INTERVAL_MS, parseSourceSpec, type RevisionSelector, type SourceSpec } from "./spec.js";
