import { EventEmitter } from "node:events";
import type * as grpc from "@grpc/grpc-js";
import type { ConnectRequest, ConnectResponse, RpcError } from "@gitfleet/shared";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AssignmentSetSchema, ConnectResponseSchema } from "@gitfleet/shared";

type AssignmentSetInit = MessageInitShape<typeof AssignmentSetSchema>;
type Call = grpc.ServerDuplexStream<ConnectRequest, MessageInitShape<typeof ConnectResponseSchema>>;

export interface Session {
  cluster: string;
  call: Call;
  lastSeen: number;
  /** Set when a heartbeat arrived since the last flush to the database. */
  dirty: boolean;
  /** Bundle digests of the last AssignmentSet sent on this stream: GetBundle serves these without a database read. */
  digests: ReadonlySet<string>;
  /** The generation of the last AssignmentSet written on the stream. */
  generation?: number;
}

/** The open agent streams, by cluster name: pushing to a cluster is a write on its stream. */
export class Sessions extends EventEmitter<{ connected: [string]; disconnected: [string] }> {
  private readonly byCluster = new Map<string, Session>();
  private readonly pending = new Set<Promise<void>>();
  /** One set per AssignmentSet object: a push shares one among the clusters it sends the same content to. */
  private readonly digestSets = new WeakMap<object, ReadonlySet<string>>();

  open(cluster: string, call: Call): Session {
    this.byCluster.get(cluster)?.call.end();
    const session: Session = { cluster, call, lastSeen: Date.now(), dirty: false, digests: new Set() };
    this.byCluster.set(cluster, session);
    return session;
  }

  /** Removes the session if it is still the current one for its cluster; true when it was. */
  release(session: Session): boolean {
    if (this.byCluster.get(session.cluster) !== session) return false;
    this.byCluster.delete(session.cluster);
    return true;
  }

  get(cluster: string): Session | undefined {
    return this.byCluster.get(cluster);
  }

  send(cluster: string, msg: MessageInitShape<typeof ConnectResponseSchema>): boolean {
    const s = this.byCluster.get(cluster);
    if (!s) return false;
    s.call.write(msg);
    if (msg.msg?.case === "assignments") {
      s.generation = Number(msg.msg.value.generation ?? 0);
      s.digests = this.digestsOf(msg.msg.value);
    }
    return true;
  }

  private digestsOf(set: AssignmentSetInit): ReadonlySet<string> {
    let digests = this.digestSets.get(set);
    if (!digests) {
      digests = new Set((set.assignments ?? []).map((a) => a.bundleDigest ?? ""));
      this.digestSets.set(set, digests);
    }
    return digests;
  }

  assignedDigests(cluster: string): ReadonlySet<string> | undefined {
    return this.byCluster.get(cluster)?.digests;
  }

  clusters(): string[] {
    return [...this.byCluster.keys()];
  }

  sentGeneration(cluster: string): number | undefined {
    return this.byCluster.get(cluster)?.generation;
  }

  close(cluster: string, err: RpcError): void {
    const s = this.byCluster.get(cluster);
    if (!s) return;
    this.byCluster.delete(cluster);
    s.call.emit("error", err.toServiceError());
  }

  /** Ends every stream (the hub is stopping): agents see the end at once and reconnect elsewhere. */
  endAll(): string[] {
    const clusters = [...this.byCluster.keys()];
    const calls = [...this.byCluster.values()].map((s) => s.call);
    this.byCluster.clear();
    for (const call of calls) call.end();
    return clusters;
  }

  /** Keeps work a stream handler started (a status write, a disconnect) so a stopping hub can wait for it. */
  track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves once the tracked handler work has finished: the store must not close under it. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  all(): Session[] {
    return [...this.byCluster.values()];
  }

  get size(): number {
    return this.byCluster.size;
  }
}
