/** One thing wrong with the input; file is relative to the rendered tree's root. */
export type RenderProblem = { file?: string; line?: number; document?: number; message: string };

/** A terminal render failure: the input is broken and retrying will not help. */
export class RenderError extends Error {
  override name = "RenderError";
  constructor(readonly problems: readonly RenderProblem[]) {
    super(`render failed:\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
  }
}

export class KustomizeNotFoundError extends Error {
  override name = "KustomizeNotFoundError";
  constructor() {
    super("neither kustomize nor kubectl found on PATH: install one to render kustomizations");
  }
}

/** "file:line (document n): message", each part only when known: what the App error and the RenderError show. */
export function formatProblem(p: RenderProblem): string {
  const file = p.file ? `${p.file}${p.line !== undefined ? `:${p.line}` : ""}` : "";
  const where = [file, p.document !== undefined ? `(document ${p.document})` : ""].filter(Boolean).join(" ");
  return where ? `${where}: ${p.message}` : p.message;
}

export class HelmNotFoundError extends Error {
  override name = "HelmNotFoundError";
  constructor(bin?: string) {
    super(bin ? `--helm ${bin} is not an executable file` : "helm not found on PATH: install helm or start the hub with --helm PATH to render Helm charts");
  }
}
