// For tests: a recorder standing in for agent streams, cluster rows, and waiting on a condition with a deadline.
import type { Assignment, InlineBundle } from "@gitfleet/shared";
import type { Db } from "../store/index.js";
import type { AgentStreams } from "./context.js";

/** Who unit tests' admin changes are by (an issued admin token, as the admin API passes it). */
export const ACTOR = "admin-token:0123456789ab (unit test)";

/** `message` is the object the hub handed the stream: a push shares one among clusters sent the same content. */
export type Sent = { cluster: string; generation: bigint; assignments: Assignment[]; bundles: InlineBundle[]; message: object };

/**
 * Agent streams that record what the hub sends; every cluster is connected except `offline`. Like
 * transport/grpc/sessions.ts, each stream remembers the generation and digests last sent on it;
 * `reconnect` forgets them (a new stream).
 */
export function recorder(offline: readonly string[] = []) {
  const sent: Sent[] = [];
  const streams = new Map<string, { generation: number; digests: ReadonlySet<string> }>();
  const sessions: AgentStreams = {
    get: (cluster) => (offline.includes(cluster) ? undefined : {}),
    clusters: () => [],
    sentGeneration: (cluster) => streams.get(cluster)?.generation,
    assignedDigests: (cluster) => streams.get(cluster)?.digests,
    send(cluster, message) {
      const { msg } = message;
      if (msg?.case !== "assignments") throw new Error(`test recorder: unexpected ${msg?.case ?? "empty"} message to ${cluster}`);
      const assignments = (msg.value.assignments ?? []) as Assignment[];
      sent.push({ cluster, generation: BigInt(msg.value.generation ?? 0), assignments, bundles: (msg.value.bundles ?? []) as InlineBundle[], message });
      streams.set(cluster, { generation: Number(msg.value.generation ?? 0), digests: new Set(assignments.map((a) => a.bundleDigest)) });
      return true;
    },
  };
  return {
    sent,
    sessions,
    /** What was sent since the last take. */
    take: () => sent.splice(0, sent.length),
    /** The cluster's agent opened a new stream: nothing was sent on it yet. */
    reconnect: (cluster: string) => void streams.delete(cluster),
  };
}

export async function addCluster(db: Db, name: string, labels: Record<string, string>, approved = true): Promise<void> {
  await db.cluster.create({ data: { name, credentialHash: `hash-${name}`, agentLabels: JSON.stringify(labels), approved, state: approved ? "Connected" : "Pending" } });
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
