/**
 * Releases that must happen however a test file ends (a failed beforeAll included): temp dirs,
 * kube-sims, git daemons, PostgreSQL schemas. setup.ts runs them after the file's own afterAll
 * hooks and after stopping its processes, newest first.
 */
const releases: (() => unknown)[] = [];

export function atFileEnd(release: () => unknown): void {
  releases.push(release);
}

/** Runs every registered release, even when some fail; rejects with all their errors. */
export async function releaseAll(): Promise<void> {
  const errors: string[] = [];
  for (const release of releases.splice(0).reverse()) {
    try {
      await release();
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length) throw new Error(`cleanup failed:\n${errors.join("\n")}`);
}
