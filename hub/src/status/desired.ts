/** What a cluster should run for an App, and what its agent last said it runs: the two fields that tell. */
type RevisionAndBundle = { revision: string; bundleDigest: string };

/**
 * The agent reports the desired revision and bundle. Both, since the bundle moves alone when a
 * cluster's labels change under substitute or a Helm/overlay re-render differs. A leaf (no store),
 * so the rollout's pure decisions use the same rule as the status views.
 */
export function reportsDesired(desired: RevisionAndBundle, row: RevisionAndBundle | undefined): boolean {
  return row !== undefined && row.revision === desired.revision && row.bundleDigest === desired.bundleDigest;
}
