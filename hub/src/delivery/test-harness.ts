// For tests: a recorder standing in for agent streams, cluster rows, and waiting on a condition with a deadline.
import type { Assignment } from "@gitfleet/shared";
import type { Db } from "../store/index.js";
import type { AgentStreams } from "./context.js";

/** Who unit tests' admin changes are by (an issued admin token, as the admin API passes it). */
export const ACTOR = "admin-token:0123456789ab (unit test)";

/** `message` is the object the hub handed the stream: a push shares one among clusters sent the same content. */
export type Sent = { cluster: string; generation: bigint; assignments: Assignment[]; message: object };

/** Agent streams that record what the hub sends; every cluster is connected except `offline`. */
export function recorder(offline: readonly string[] = []) {
  const sent: Sent[] = [];
  const sessions: AgentStreams = {
    get: (cluster) => (offline.includes(cluster) ? undefined : {}),
    clusters: () => [],
    sentGeneration: () => undefined,
    send(cluster, message) {
      const { msg } = message;
      if (msg?.case !== "assignments") throw new Error(`test recorder: unexpected ${msg?.case ?? "empty"} message to ${cluster}`);
      sent.push({ cluster, generation: BigInt(msg.value.generation ?? 0), assignments: (msg.value.assignments ?? []) as Assignment[], message });
      return true;
    },
  };
  return {
    sent,
    sessions,
    /** What was sent since the last take. */
    take: () => sent.splice(0, sent.length),
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
