import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { Finding } from "../common/findings.js";
import type { Kube } from "../kube/client.js";
import { createCleanup } from "./cleanup.js";

/** A cluster without inventories whose reads (from the watch cache or not) fail `failures` times first. */
function flakyKube(failures: number) {
  const reads: string[] = [];
  const get = async (id: { name: string }) => {
    reads.push(id.name);
    if (failures-- > 0) throw new Error("connect ECONNREFUSED");
    return undefined;
  };
  const kube = { get, cache: { get } } as unknown as Kube;
  return { kube, reads };
}

function cleanup(kube: Kube, keep: (app: string) => boolean = () => false) {
  const found: Finding[] = [];
  const removed: string[] = [];
  const warnings: string[] = [];
  const c = createCleanup({
    kube,
    log: { info() {}, warn: (_o: unknown, msg: string) => void warnings.push(msg) } as never,
    findings: { report: (f) => void found.push(f) },
    lane: (_app, fn) => void fn(),
    keep,
    removed: (app) => void removed.push(app),
    retryBaseMs: 5,
    retryMaxMs: 20,
  });
  onTestFinished(() => c.stop());
  return { c, found, removed, warnings };
}

describe("createCleanup", () => {
  it("forgets the app's status at once and retries the removal until the cluster answers", async () => {
    const { kube, reads } = flakyKube(2);
    const { c, found, removed, warnings } = cleanup(kube);
    c.remove("web");
    expect(found).toEqual([{ kind: "removed", app: "web" }]);
    await vi.waitFor(() => expect(removed).toEqual(["web"]), { timeout: 5_000 });
    expect(warnings).toEqual(["cannot remove unassigned app; retrying", "cannot remove unassigned app; retrying"]);
    expect(reads).toEqual(["gitfleet-inventory-web", "gitfleet-inventory-web", "gitfleet-inventory-web"]);
  });

  it("leaves an app assigned again alone, and lists no inventories when the cluster cannot tell", async () => {
    const { kube, reads } = flakyKube(1);
    const { c, removed } = cleanup(kube, (app) => app === "web");
    c.remove("web");
    await Promise.resolve();
    expect(reads).toEqual([]);
    expect(removed).toEqual([]);
    expect(await c.inventoried()).toEqual([]);
  });
});
