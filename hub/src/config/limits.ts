// Size limits on what agents send and what renders produce, in one place. Agents are outside
// the hub's trust boundary: everything they write to the database is bounded here.

/** An App status message or a per-object message longer than this is cut (characters). */
export const MAX_STATUS_MESSAGE = 4 * 1024;
export const MAX_OBJECT_MESSAGE = 1024;
/** Per-object results kept for one App on one cluster. */
export const MAX_STATUS_OBJECTS = 10_000;
/** Drift events kept from one report. */
export const MAX_DRIFT_EVENTS = 10_000;

/** Webhook and other HTTP request bodies (GitHub push payloads are far smaller); larger ones get 413. */
export const MAX_HTTP_BODY = 5 * 1024 * 1024;

/** Cuts text to max characters, saying so. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (truncated, ${text.length} characters)`;
}

/**
 * The hub's V8 heap bounds (lib/heap.ts; 0 = Node's default): a young generation of 8 MB (what
 * `--max-semi-space-size=4` gives, against up to 32 MB), and the old generation grown by 100% past
 * what the last full GC kept (V8 picks 10% to 300% itself). Smaller, more frequent collections for
 * less resident memory (README "Performance": 329 -> 272 MB at N=1000 on PostgreSQL).
 */
export const HEAP_TUNING = {
  youngGenerationMb: Number(process.env.GITFLEET_YOUNG_GENERATION_MB ?? 8),
  heapGrowingPercent: Number(process.env.GITFLEET_HEAP_GROWING_PERCENT ?? 100),
};

/**
 * Registrations and stream openings (Connect, up to its Welcome) in progress at once; more are
 * answered UNAVAILABLE with a retry hint (transport/grpc/admission.ts). A batch of registrations
 * is up to 500 (store/batch.ts), so these keep about two batches queued.
 */
export const MAX_REGISTRATIONS_IN_FLIGHT = Number(process.env.GITFLEET_MAX_REGISTRATIONS_IN_FLIGHT ?? 1000);
export const MAX_CONNECTS_IN_FLIGHT = Number(process.env.GITFLEET_MAX_CONNECTS_IN_FLIGHT ?? 1000);
/** The gRPC port's accept queue (transport/grpc/listen.ts); Linux caps it at net.core.somaxconn (4096 by default). */
export const GRPC_LISTEN_BACKLOG = Number(process.env.GITFLEET_GRPC_LISTEN_BACKLOG ?? 4096);

/**
 * A bundle this small (gzip bytes) rides on the AssignmentSet that assigns it (assign/assignments.ts),
 * sparing each agent a GetBundle call: a commit sends the same few bundles of a few KB to thousands
 * of clusters. Larger ones are fetched, so a push does not copy big bundles into every stream's buffer.
 */
export const MAX_INLINE_BUNDLE_BYTES = 64 * 1024;
/** Inline bundles in one AssignmentSet at most (gzip bytes): far below gRPC's 4 MiB default receive limit on the agent. */
export const MAX_INLINE_BUNDLES_PER_SET_BYTES = 1024 * 1024;
