// Messages between the benchmark driver and its host processes (child_process IPC).

export interface ProcStats {
  pid: number;
  rssMb: number;
  peakRssMb: number;
  cpuS: number;
}

export interface SimSpec {
  name: string;
  kubeconfig: string;
}

export type ToSimHost =
  | { type: "start"; names: string[]; readyDelayMs: number }
  | { type: "drift"; names: string[] }
  | { type: "stats" }
  | { type: "stop" };

export type FromSimHost =
  | { type: "ready"; stats: ProcStats }
  | { type: "started"; sims: SimSpec[] }
  | { type: "drifted"; at: Record<string, number> }
  | { type: "stats"; stats: ProcStats }
  | { type: "error"; message: string };

export interface AgentSpec {
  name: string;
  labels: Record<string, string>;
  /** The agent's kube-sim (full simulation); protocol agents have none. */
  kubeconfig?: string;
}

export type ToAgentHost =
  | { type: "start"; hub: string; token: string; dir: string; agents: AgentSpec[]; app: string; resyncMs?: number; driftIntervalMs?: number; readyDelayMs?: number; /** Agents this host starts per second (0: all at once). */ connectRate?: number }
  /** Protocol agents only: these clusters report drift on the app, as after a hand edit. */
  | { type: "drift"; names: string[]; app: string }
  | { type: "stats" }
  | { type: "stop" };

export interface Traffic {
  /** Encoded bytes of messages received from the hub, by method (Connect, GetBundle). */
  bytes: Record<string, number>;
  messages: Record<string, number>;
  /** Requests the agents made to their clusters' API servers, by kind (GET, PATCH, PATCH dry-run, WATCH, ...). */
  kubeRequests: Record<string, number>;
}

export type FromAgentHost =
  | { type: "ready"; stats: ProcStats }
  | { type: "started"; count: number; ms: number }
  | { type: "linked"; name: string; at: number }
  /** The first AssignmentSet an agent received with the app at this revision. */
  | { type: "assigned"; name: string; revision: string; at: number }
  /** The first status an agent sent for the app at this revision that was Synced and Healthy. */
  | { type: "synced"; name: string; revision: string; at: number }
  | { type: "stats"; stats: ProcStats; traffic: Traffic; agents: number }
  | { type: "drifted"; at: Record<string, number> }
  | { type: "fatal"; name: string; message: string }
  | { type: "error"; message: string };

/** Counts a received message of `method` with its encoded size into `t`. */
export const receivedInto = (t: Traffic) => (method: string, bytes: number) => {
  t.bytes[method] = (t.bytes[method] ?? 0) + bytes;
  t.messages[method] = (t.messages[method] ?? 0) + 1;
};
