import type { DriftReport, StatusReport } from "@gitfleet/shared";
import type { ServedBundle } from "../assign/served-bundles.js";

/** What the hub does with what an agent says on its stream; transports call it, the composition root wires it. */
export interface AgentEvents {
  connected(cluster: string): Promise<void>;
  status(cluster: string, report: StatusReport): Promise<void>;
  drift(cluster: string, report: DriftReport): Promise<void>;
}

/** What GetBundle serves: a bundle's manifests, only when it is one of the cluster's current (or just replaced) assignments. */
export interface BundleSource {
  bundleFor(cluster: string, digest: string): Promise<ServedBundle | undefined>;
}
