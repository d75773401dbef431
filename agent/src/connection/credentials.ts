import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

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
    async save(identity) {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      // Write then rename: a crash never leaves a half-written credential.
      await writeFile(`${path}.tmp`, JSON.stringify(identity) + "\n", { mode: 0o600 });
      await rename(`${path}.tmp`, path);
    },
    describe: () => path,
  };
}
