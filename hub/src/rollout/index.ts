export { createRolloutController, type RolloutController, type RolloutDeps } from "./controller.js";
export { ROLLOUT_ACTIONS, type RolloutAction } from "./commands.js";
export { parseRolloutSpec, resolveStrategy, type RolloutSpec } from "./strategy.js";
export type { RolloutInit } from "./status.js";
