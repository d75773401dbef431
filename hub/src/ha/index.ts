// Several hubs on one database: what one hub tells the others (ChangeFeed) and which hub runs the
// work that must happen once (Leadership). Domain code sees only these interfaces; SQLite gets the
// in-process ones below (one hub), PostgreSQL those in store/coordination.ts (LISTEN/NOTIFY, a lease row).
import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";

/**
 * A change one hub made that others must act on. `names` is the one list a change carries (clusters,
 * Apps or Sources), so a feed with a size limit can split a change into several.
 * Every hub: push (send these clusters their assignments, if it holds their streams), sync, sources
 * (forget cached Source state). The leader only: refresh, apps, removed, cluster, rollout, reported.
 */
export type Change =
  | { kind: "push"; names: string[] }
  | { kind: "sync"; app: string; names: string[] }
  | { kind: "refresh"; names: string[] }
  | { kind: "sources"; names: string[] }
  | { kind: "apps"; names: string[]; all?: boolean }
  | { kind: "removed"; names: string[] }
  | { kind: "cluster"; names: string[] }
  | { kind: "rollout"; names: string[] }
  | { kind: "reported"; names: string[] }
  /** Admin actions on a cluster whose agent may be connected to another hub: that hub tells it. */
  | { kind: "approved"; names: string[] }
  | { kind: "deleted"; names: string[] }
  /** The feed may have lost changes (its connection dropped): recompute from the database. */
  | { kind: "resync"; names: string[] };

export interface ChangeFeed {
  /** Tells the other hubs; never delivered back to this one. Best effort: each hub also catches up from the database. */
  publish(change: Change): void;
  subscribe(fn: (change: Change) => void): () => void;
  close(): Promise<void>;
}

/** Which hub runs the singleton work, under a database lease that moves when its holder dies. */
export interface Leadership {
  isLeader(): boolean;
  /** The lease as held now (holder and epoch), for fencing writes; undefined when not leader. */
  lease(): { holder: string; epoch: number } | undefined;
  /** Called with true on gaining the lease and false on losing it. */
  onChange(fn: (leader: boolean) => void): void;
  close(): Promise<void>;
}

export interface Coordination {
  /** This hub process, as stored in Cluster.hub and Lease.holder. */
  hubId: string;
  /** True when other hubs may share the database (PostgreSQL). */
  shared: boolean;
  feed: ChangeFeed;
  leadership: Leadership;
  close(): Promise<void>;
}

export function newHubId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
}

/** Changes a hub receives from the others carry their sender, so a feed that echoes can drop its own. */
export type Envelope = { from: string; change: Change };

/** One hub (SQLite): it always leads, and a feed shared in-process (tests wire two hubs through one). */
export function localCoordination(hubId = newHubId(), bus = new EventEmitter<{ change: [Envelope] }>()): Coordination {
  const listeners = new Set<(e: Envelope) => void>();
  return {
    hubId,
    shared: false,
    feed: {
      publish: (change) => void queueMicrotask(() => bus.emit("change", { from: hubId, change })),
      subscribe(fn) {
        const l = (e: Envelope) => e.from !== hubId && fn(e.change);
        listeners.add(l);
        bus.on("change", l);
        return () => void bus.off("change", l);
      },
      async close() {
        for (const l of listeners) bus.off("change", l);
      },
    },
    leadership: { isLeader: () => true, lease: () => undefined, onChange() {}, close: async () => undefined },
    close: async () => undefined,
  };
}

/** Splits a change whose JSON would exceed maxBytes into several with parts of its `names`. */
export function splitChange(change: Change, maxBytes: number): Change[] {
  if (Buffer.byteLength(JSON.stringify(change)) <= maxBytes || change.names.length < 2) return [change];
  const half = Math.ceil(change.names.length / 2);
  return [
    ...splitChange({ ...change, names: change.names.slice(0, half) }, maxBytes),
    ...splitChange({ ...change, names: change.names.slice(half) }, maxBytes),
  ];
}
