import * as grpc from "@grpc/grpc-js";
import { RpcError } from "@gitfleet/shared";
import type { AgentClient } from "../connection/agent-link.js";
import type { IdentityStore } from "../connection/credentials.js";
import type { BundleFetcher } from "./bundle-cache.js";
import { BUNDLE_FETCH_TIMEOUT_MS } from "../config/intervals.js";

/** getBundle over the channel to the hub the agent uses now, authenticated with the stored cluster credential. */
export function hubBundleFetcher(client: () => AgentClient, identities: IdentityStore): BundleFetcher {
  return async (digest) => {
    const identity = await identities.load();
    if (!identity) throw new RpcError("UNAVAILABLE", "not registered with the hub yet");
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${identity.credential}`);
    const chunks: Buffer[] = [];
    for await (const res of client().getBundle({ digest }, { metadata, deadlineMs: BUNDLE_FETCH_TIMEOUT_MS }) as AsyncIterable<{ chunk: Uint8Array }>) {
      chunks.push(Buffer.from(res.chunk));
    }
    return Buffer.concat(chunks).toString("utf8");
  };
}
