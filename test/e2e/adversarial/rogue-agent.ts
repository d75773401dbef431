import * as grpc from "@grpc/grpc-js";
import { AgentService, createClient, RpcError, type AssignmentSet, type ConnectRequest, type ConnectResponse, type ServiceClient } from "@gitfleet/shared";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ConnectRequestSchema } from "@gitfleet/shared";
import { waitFor } from "../../lib/processes.js";

/**
 * An agent that speaks the protocol directly, so a test can send what a real agent never would:
 * fetch other clusters' bundles, report status for Apps it does not run, send oversized messages.
 */
export interface RogueAgent {
  name: string;
  credential: string;
  /** Opens the stream; assignment sets received are collected in `sets`. */
  connect(): Promise<void>;
  sets: AssignmentSet[];
  send(msg: MessageInitShape<typeof ConnectRequestSchema>): void;
  /** The bundle text, or the RpcError the hub answered with. */
  bundle(digest: string): Promise<string | RpcError>;
  close(): void;
}

export async function registerRogue(grpcAddress: string, token: string, name: string, labels: Record<string, string> = {}): Promise<RogueAgent> {
  const client: ServiceClient<typeof AgentService> = createClient(AgentService, grpcAddress, grpc.credentials.createInsecure());
  const { credential } = await client.register({ token, name, labels, agentVersion: "rogue", kubernetesVersion: "v1.32.0" });
  const metadata = () => {
    const md = new grpc.Metadata();
    md.set("authorization", `Bearer ${credential}`);
    return md;
  };
  let stream: grpc.ClientDuplexStream<MessageInitShape<typeof ConnectRequestSchema>, ConnectResponse> | undefined;
  const rogue: RogueAgent = {
    name,
    credential,
    sets: [],
    async connect() {
      stream = client.connect({ metadata: metadata() });
      let welcomed = false;
      stream.on("data", (res: ConnectResponse) => {
        if (res.msg.case === "welcome") welcomed = true;
        if (res.msg.case === "assignments") rogue.sets.push(res.msg.value);
      });
      stream.on("error", () => undefined);
      stream.write({ msg: { case: "hello", value: { agentVersion: "rogue", kubernetesVersion: "v1.32.0" } } } satisfies MessageInitShape<typeof ConnectRequestSchema>);
      await waitFor(`${name} to be welcomed`, () => welcomed);
    },
    send(msg) {
      if (!stream) throw new Error("connect first");
      stream.write(msg);
    },
    async bundle(digest) {
      const chunks: Buffer[] = [];
      try {
        for await (const res of client.getBundle({ digest }, { metadata: metadata(), deadlineMs: 20_000 }) as AsyncIterable<{ chunk: Uint8Array }>) chunks.push(Buffer.from(res.chunk));
        return Buffer.concat(chunks).toString("utf8");
      } catch (err) {
        return RpcError.from(err);
      }
    },
    close() {
      stream?.cancel();
      client.close();
    },
  };
  return rogue;
}

export type { ConnectRequest };
