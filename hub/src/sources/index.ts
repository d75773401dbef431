export { checkout } from "./checkout.js";
export { CONFIG_TREES, holdingTree, listTrees, removeTree, withTree, type TreeDir } from "./trees.js";
export { ChartVersionNotFoundError, CheckoutError, HelmRepoError, RevisionNotFoundError, SourceFetchError, SourceSpecError, type HelmRepoReason } from "./errors.js";
export type { GitCredentials } from "./git-env.js";
export { createMirrorCache, splitCredentials, type Mirror, type MirrorCache, type MirrorCacheOptions } from "./mirror-cache.js";
export { resolveRevision, type Revision } from "./resolve.js";
export { DEFAULT_INTERVAL_MS, parseSourceSpec, type GitSourceSpec, type HelmSourceSpec, type RevisionSelector, type SourceSpec } from "./spec.js";
export { chartTreeName, createHelmRepos, type HelmRepos } from "./helm-repo.js";
export type { RepoAuth } from "./repo-http.js";
