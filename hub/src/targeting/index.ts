export { firstMatch, GROUP_LABEL, OPERATORS, selectorText, selects, type ClusterFacts, type ClusterSelector, type Requirement, type TargetSelector } from "./selector.js";
