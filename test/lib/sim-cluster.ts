import { join } from "node:path";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { kubectlRunner } from "../kube-sim/test-helpers.js";
import { atFileEnd } from "./cleanup.js";

export interface SimCluster {
  sim: KubeSim;
  kubeconfig: string;
  /** Runs the real kubectl against the sim; throws with its stderr when it fails. */
  kubectl(args: string[], stdin?: string): Promise<string>;
}

/** A kube-sim with a kubeconfig and a discovery cache of its own in dir; closed when the test file ends. */
export async function startSimCluster(dir: string): Promise<SimCluster> {
  const sim = await startKubeSim();
  atFileEnd(() => sim.close());
  const kubeconfig = join(dir, "kubeconfig");
  await sim.writeKubeconfig(kubeconfig);
  const run = kubectlRunner(kubeconfig, join(dir, "kube-cache"));
  return {
    sim,
    kubeconfig,
    async kubectl(args, stdin) {
      const r = await run(args, stdin);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
      return r.stdout;
    },
  };
}
