export { formatProblem, KustomizeNotFoundError, RenderError, type RenderProblem } from "./errors.js";
export { findKustomize, KUSTOMIZE_TIMEOUT_MS, type KustomizeOptions } from "./kustomize.js";
export { renderBundle, type RenderedBundle, type RenderInput } from "./render-bundle.js";
export { applyTarget, type TargetOptions } from "./target.js";
