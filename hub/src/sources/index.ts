export { checkout } from "./checkout.js";
export { CONFIG_TREES, listTrees, removeTree, withTree, type TreeDir } from "./trees.js";
export { CheckoutError, RevisionNotFoundError, SourceFetchError, SourceSpecError } from "./errors.js";
export type { GitCredentials } from "./git-env.js";
export { createMirrorCache, splitCredentials, type Mirror, type MirrorCache, type MirrorCacheOptions } from "./mirror-cache.js";
export { resolveRevision, type Revision } from "./resolve.js";
export { DEFAULT_INTERVAL_MS, parseSourceSpec, type RevisionSelector, type SourceSpec } from "./spec.js";
