import { RevisionNotFoundError } from "./errors.js";
import { gitIn } from "./git-env.js";
import type { Mirror } from "./mirror-cache.js";
import { maxSatisfying } from "semver";
import type { RevisionSelector } from "./spec.js";

export type Revision = { sha: string; ref: string; author: string; message: string; committedAt: Date };

/** Resolves what the spec follows to one commit of the mirror (annotated tags peeled). */
export async function resolveRevision(mirror: Mirror, spec: { ref: RevisionSelector }): Promise<Revision> {
  const git = gitIn(mirror.dir);
  const sel = spec.ref;
  const notFound = (what: string, detail?: string) => new RevisionNotFoundError(mirror.sourceName, what, detail);
  let ref: string;
  let sha: string | undefined;
  switch (sel.kind) {
    case "branch":
      ref = `refs/heads/${sel.branch}`;
      sha = await revParse(mirror, ref);
      if (!sha) throw notFound(`branch "${sel.branch}"`);
      break;
    case "tag":
      ref = `refs/tags/${sel.tag}`;
      sha = await revParse(mirror, ref);
      if (!sha) throw notFound(`tag "${sel.tag}"`);
      break;
    case "semver": {
      const tags = (await git.raw(["for-each-ref", "--format=%(refname:strip=2)", "refs/tags"])).split("\n").filter(Boolean);
      const tag = maxSatisfying(tags, sel.range);
      if (!tag) throw notFound(`semver range "${sel.range}"`, `${tags.length} tags, none satisfies it`);
      ref = `refs/tags/${tag}`;
      sha = await revParse(mirror, ref);
      if (!sha) throw notFound(`tag "${tag}"`);
      break;
    }
    case "commit":
      try {
        sha = await revParse(mirror, sel.commit);
      } catch (err) {
        throw notFound(`commit "${sel.commit}"`, (err as Error).message); // e.g. an ambiguous short SHA
      }
      if (!sha) throw notFound(`commit "${sel.commit}"`);
      ref = sha;
      break;
  }
  const [author = "", date = "", ...body] = (await git.raw(["show", "-s", "--format=%an <%ae>%x00%cI%x00%B", sha])).split("\0");
  return { sha, ref, author, message: body.join("\0").trim(), committedAt: new Date(date) };
}

// undefined when the name does not resolve to a commit; throws on other git failures.
async function revParse(mirror: Mirror, name: string): Promise<string | undefined> {
  try {
    const out = await gitIn(mirror.dir).raw(["rev-parse", "--verify", "--quiet", "--end-of-options", `${name}^{commit}`]);
    return out.trim() || undefined;
  } catch (err) {
    const msg = (err as Error).message;
    if (/ambiguous/i.test(msg)) throw err;
    return undefined;
  }
}
