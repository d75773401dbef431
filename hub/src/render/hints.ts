import { readdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { RenderProblem } from "./errors.js";
import { KUSTOMIZATION_FILES } from "./kustomize-check.js";

// Messages for the shapes of real repositories that are not plain manifests (Helm charts, Fleet and
// kustomize folders read without an overlay, empty paths): say what the folder is and what to set.

/** A folder with Chart.yaml below the App's path, reached while reading plain manifests: its templates are not YAML. */
export function helmChartProblem(root: string, dir: string): RenderProblem {
  return { file: join(relative(root, dir), "Chart.yaml"), message: `this folder is a Helm chart inside a folder of plain manifests: set the App's path to ${relative(root, dir)} to render it with helm` };
}

/**
 * A file that configures a tool rather than being a manifest, found while reading plain manifests
 * under start (the App's path, which has no kustomization of its own), or undefined.
 */
export function toolFileProblem(root: string, start: string, path: string): RenderProblem | undefined {
  const name = path.slice(dirname(path).length + 1);
  const file = relative(root, path);
  const overlay = relative(start, dirname(path));
  if (KUSTOMIZATION_FILES.includes(name)) {
    return { file, message: `a kustomization, read as a plain manifest because ${relative(root, start) || "."} has none: to build it, set the target's overlay: ${overlay || "."}` };
  }
  if (name === "fleet.yaml") {
    return { file, message: `Rancher Fleet's fleet.yaml is not a manifest: gitfleet takes namespace and kustomize dir from the App's targets (namespace:, overlay: a folder with a kustomization.yaml)` };
  }
  return undefined;
}

/** Nothing rendered: an error unless the App allows it, since pruning would delete all it made. */
export async function emptyRenderProblem(root: string, dir: string, kustomized: boolean): Promise<RenderProblem> {
  const rel = relative(root, dir) || ".";
  const tail = "set allowEmpty: true on the App if it is meant to have no objects";
  if (kustomized) return { file: rel, message: `kustomize build ${rel} produced no objects; ${tail}` };
  const found = (await readdir(dir)).filter((n) => !n.startsWith(".")).sort();
  const listed = found.length ? `found only ${found.slice(0, 5).join(", ")}${found.length > 5 ? ", …" : ""}` : "the folder is empty";
  return { file: rel, message: `no manifests (*.yaml, *.yml, *.json) in ${rel} (${listed}); ${tail}` };
}
