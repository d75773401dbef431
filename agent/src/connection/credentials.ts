import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeAtomic } from "../files.js";
import type { Kube } from "../kube/client.js";

/** What an agent keeps after registering: enough to reconnect as the same cluster. */
export interface Identity {
  name: string;
  hub: string;
  credential: string;
}

/** Where the per-cluster credential lives: a file in the state dir, or a Secret in the cluster. */
export interface IdentityStore {
  load(): Promise<Identity | undefined>;
  save(identity: Identity): Promise<void>;
  describe(): string;
}

export function fileIdentityStore(stateDir: string): IdentityStore {
  const path = join(stateDir, "identity.json");
  return {
    async load() {
      try {
        return JSON.parse(await readFile(path, "utf8")) as Identity;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new Error(`cannot read agent identity ${path}: ${(err as Error).message}`);
      }
    },
    save: (identity) => writeAtomic(path, JSON.stringify(identity) + "\n"),
    describe: () => path,
  };
}

/** The identity in a Secret (--credential-secret NS/NAME): nothing to keep on the agent's disk. */
export function secretIdentityStore(kube: Kube, namespace: string, name: string): IdentityStore {
  const id = { apiVersion: "v1", kind: "Secret", namespace, name };
  return {
    async load() {
      const secret = await kube.get(id);
      const data = (secret?.data ?? {}) as Record<string, string>;
      if (!data.identity) return undefined;
      try {
        return JSON.parse(Buffer.from(data.identity, "base64").toString("utf8")) as Identity;
      } catch (err) {
        throw new Error(`cannot read agent identity from Secret ${namespace}/${name}: ${(err as Error).message}`);
      }
    },
    async save(identity) {
      await kube.apply({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "gitfleet" } },
        type: "Opaque",
        data: { identity: Buffer.from(JSON.stringify(identity)).toString("base64") },
      });
    },
    describe: () => `Secret ${namespace}/${name}`,
  };
}
