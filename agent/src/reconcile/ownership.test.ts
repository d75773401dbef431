import { describe, expect, it } from "vitest";
import type { KubeObject } from "@gitfleet/shared";
import { createClaims, ownershipRefusal, type OwnershipPolicy } from "./ownership.js";

const obj = (labels?: Record<string, string>, managers: string[] = []): KubeObject => ({
  apiVersion: "v1", kind: "Service", metadata: { name: "frontend", namespace: "default", labels, managedFields: managers.map((manager) => ({ manager })) },
});
const gitfleet = (app?: string) => ({ "app.kubernetes.io/managed-by": "gitfleet", ...(app ? { "gitfleet.dev/app": app } : {}) });

function policy(app: string, opts: { refuseTakeover?: boolean; holding?: string[] } = {}): OwnershipPolicy {
  const claims = createClaims();
  return { app, refuseTakeover: opts.refuseTakeover, owners: { holds: async (owner) => (opts.holding ?? []).includes(owner), claim: claims.claim } };
}

describe("ownershipRefusal", () => {
  it("applies a new object, its own, and one released by another App", async () => {
    expect(await ownershipRefusal(policy("web"), obj(), undefined)).toBeUndefined();
    expect(await ownershipRefusal(policy("web"), obj(), obj(gitfleet("web")))).toBeUndefined();
    expect(await ownershipRefusal(policy("web", { refuseTakeover: true }), obj(), obj(gitfleet()))).toBeUndefined();
  });

  it("refuses an object another App holds, naming it; adopts one whose owner is gone from the cluster", async () => {
    expect(await ownershipRefusal(policy("web", { holding: ["shop"] }), obj(), obj(gitfleet("shop")))).toBe(
      'Service/default/frontend belongs to App "shop"; App "web" applies it only once "shop" lets go of it (drops it from its path or is deleted)',
    );
    expect(await ownershipRefusal(policy("web"), obj(), obj(gitfleet("shop")))).toBeUndefined();
  });

  it("adopts what other tools made unless the policy refuses, naming their field managers", async () => {
    const kubectl = obj({ app: "frontend" }, ["kubectl-client-side-apply", "kubectl-client-side-apply", "helm"]);
    expect(await ownershipRefusal(policy("web"), obj(), kubectl)).toBeUndefined();
    expect(await ownershipRefusal(policy("web", { refuseTakeover: true }), obj(), kubectl)).toBe(
      "Service/default/frontend exists and was not made by gitfleet (field managers: kubectl-client-side-apply, helm); App \"web\" has takeover: refuse: delete it, label it gitfleet.dev/app=web to hand it over, or set takeover: adopt",
    );
  });

  it("settles a race between two Apps creating one object: the first claim wins until its run ends", async () => {
    const claims = createClaims();
    const of = (app: string): OwnershipPolicy => ({ app, owners: { holds: async () => false, claim: claims.claim } });
    expect(await ownershipRefusal(of("a"), obj(), undefined)).toBeUndefined();
    expect(await ownershipRefusal(of("b"), obj(), undefined)).toMatch(/belongs to App "a"/);
    expect(claims.claimedBy("a", obj())).toBe(true);
    claims.release("a");
    expect(await ownershipRefusal(of("b"), obj(), undefined)).toBeUndefined();
  });
});
