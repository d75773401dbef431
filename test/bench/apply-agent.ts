// Child process for the apply comparison: the agent's reconcile of one bundle into a fresh cluster,
// timed from the assignment to the agent's status report (apply, inventory and health read-back).
import { create } from "@bufbuild/protobuf";
import { KubeConfig } from "@kubernetes/client-node";
import { AssignmentSetSchema, bundleDigest, createLogger, SyncState } from "@gitfleet/shared";
import { createKube } from "@gitfleet/agent/dist/kube/client.js";
import { createRunner } from "@gitfleet/agent/dist/runner/runner.js";
import { countKubeRequests } from "./kube-requests.js";

interface Request {
  kubeconfig: string;
  bundle: string;
}

const requests: Record<string, number> = {};
countKubeRequests(requests);

process.once("message", (req: Request) => {
  void run(req).then(
    (ms) => process.send!({ ms, requests }, () => process.exit(0)),
    (err: unknown) => process.send!({ error: (err as Error).stack ?? String(err) }, () => process.exit(1)),
  );
});

async function run(req: Request): Promise<number> {
  const kc = new KubeConfig();
  kc.loadFromString(req.kubeconfig);
  const digest = bundleDigest(req.bundle);
  const runner = createRunner({
    kube: createKube(kc),
    bundles: { get: async () => req.bundle },
    store: { load: async () => undefined, save: async () => {} },
    log: createLogger("apply-agent", { write: (line: string) => void process.stderr.write(line) }),
    timings: { resyncMs: 3_600_000, driftIntervalMs: 3_600_000 },
  });
  let started = 0;
  const done = new Promise<number>((resolve, reject) => {
    runner.link((out) => {
      const m = out.msg as { case?: string; value?: { apps?: { sync?: SyncState; message?: string }[] } } | undefined;
      const s = m?.case === "status" ? m.value?.apps?.[0] : undefined;
      if (!s) return;
      if (s.sync === SyncState.SYNCED) resolve(performance.now() - started);
      else reject(new Error(`agent apply did not sync: ${s.message}`));
    });
  });
  started = performance.now();
  runner.assignments(create(AssignmentSetSchema, {
    assignments: [{ app: "compare", target: "t", revision: "r1", bundleDigest: digest, prune: true, selfHeal: false }],
    generation: 1n,
  }));
  const ms = await done;
  await runner.stop();
  return ms;
}
