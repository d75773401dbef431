import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import * as grpc from "@grpc/grpc-js";
import { RpcError } from "@gitfleet/shared";
import type { AgentClient } from "../connection/agent-link.js";
import type { IdentityStore } from "../connection/credentials.js";
import type { BundleFetcher } from "./bundle-cache.js";
import { BUNDLE_FETCH_TIMEOUT_MS } from "../config/intervals.js";

const gunzipAsync = promisify(gunzip);

/** getBundle over the channel to the hub the agent uses now, authenticated with the stored cluster credential; gzip-compressed when the hub offers it. */
export function hubBundleFetcher(client: () => AgentClient, identities: IdentityStore): BundleFetcher {
  return async (digest) => {
    const identity = await identities.load();
    if (!identity) throw new RpcError("UNAVAILABLE", "not registered with the hub yet");
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${identity.credential}`);
    const chunks: Buffer[] = [];
    let gzip = false;
    for await (const res of client().getBundle({ digest, acceptGzip: true }, { metadata, deadlineMs: BUNDLE_FETCH_TIMEOUT_MS }) as AsyncIterable<{ chunk: Uint8Array; gzip: boolean }>) {
      chunks.push(Buffer.from(res.chunk));
      gzip ||= res.gzip;
    }
    const bytes = Buffer.concat(chunks);
    // An older hub sends the manifests as they are.
    return (gzip ? await gunzipAsync(bytes) : bytes).toString("utf8");
  };
}
