// Sources that follow a tag, a semver range or a commit, through the hub to an agent: each App
// delivers its Source's revision and nothing newer on the branch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { showSource } from "../lib/admin.js";
import { startGitFleet, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";

const REFS = ["tag", "semver", "commit"] as const;
type Ref = (typeof REFS)[number];
const configMap = (ref: Ref, v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-${ref}, namespace: default}\ndata: {v: "${v}"}\n`;
/** Every App's ConfigMap at content version v. */
const version = (v: string) => Object.fromEntries(REFS.map((r) => [`${r}/cm.yaml`, configMap(r, v)]));

describe("Sources by tag, semver range and commit", () => {
  let f: GitFleet;
  const live = () => Object.fromEntries(REFS.map((r) => [r, f.clusters.one!.sim.store.get("v1", "ConfigMap", `by-${r}`, "default")?.data?.v as string | undefined]));
  const definitions = (follow: Record<Ref, string>) =>
    REFS.map((r) => `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: by-${r}}
spec: {url: "file://${f.repo.dir}", ${follow[r]}, interval: 1s}
---
apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: by-${r}}
spec:
  source: by-${r}
  path: ${r}
  targets: [{name: all, clusterSelector: {matchLabels: {env: test}}}]
`).join("---\n");
  /** Waits until every Source fetched after now, so what they resolve is final for the repo as it is. */
  const fetchedAfterNow = async () => {
    const since = Date.now();
    await waitFor("every Source to fetch again", async () => {
      const sources = await Promise.all(REFS.map((r) => showSource(f.hub, `by-${r}`)));
      return sources.every((s) => s.lastFetchedAt !== undefined && Date.parse(s.lastFetchedAt) > since);
    });
  };
  const revisions = async () => Object.fromEntries(await Promise.all(REFS.map(async (r) => [r, (await showSource(f.hub, `by-${r}`)).revision?.sha])));

  beforeAll(async () => {
    f = await startGitFleet("source-refs", { one: "env=test" }, version("1"));
  });
  afterAll(() => f?.close());

  it("each App follows its ref: new commits on the branch, tags outside the range and other commits change nothing", async () => {
    const sha1 = f.repo.git("rev-parse", "HEAD");
    f.repo.git("tag", "v1.0.0");
    await f.apply(definitions({ tag: "tag: v1.0.0", semver: 'semver: "^1.0.0"', commit: `commit: ${sha1}` }));
    await waitFor("version 1 everywhere", () => Object.values(live()).every((v) => v === "1"));

    // A commit on the branch, untagged: no Source follows it.
    const sha2 = f.repo.commit(version("2"), "version 2");
    await fetchedAfterNow();
    expect(await revisions()).toEqual({ tag: sha1, semver: sha1, commit: sha1 });
    expect(live()).toEqual({ tag: "1", semver: "1", commit: "1" });

    // A tag inside the range moves only the semver Source.
    f.repo.git("tag", "v1.1.0");
    await waitFor("the semver App at version 2", () => live().semver === "2");
    await fetchedAfterNow();
    expect(await revisions()).toEqual({ tag: sha1, semver: sha2, commit: sha1 });
    expect(live()).toEqual({ tag: "1", semver: "2", commit: "1" });

    // A new major version is outside ^1.0.0.
    const sha3 = f.repo.commit(version("3"), "version 3");
    f.repo.git("tag", "v2.0.0");
    await fetchedAfterNow();
    expect(await revisions()).toEqual({ tag: sha1, semver: sha2, commit: sha1 });

    // Changing what a Source follows is what moves the tag and commit Apps.
    await f.apply(definitions({ tag: "tag: v2.0.0", semver: 'semver: "^1.0.0"', commit: `commit: ${sha2}` }));
    await waitFor("tag at version 3, commit at version 2", () => live().tag === "3" && live().commit === "2");
    expect(await revisions()).toEqual({ tag: sha3, semver: sha2, commit: sha2 });
    expect(live()).toEqual({ tag: "3", semver: "2", commit: "2" });
  });
});
