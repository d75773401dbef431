import type { KubeObject } from "@gitfleet/shared";

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const MANAGER_VALUE = "gitfleet";
export const APP_LABEL = "gitfleet.dev/app";

/** The object as the agent applies it: labelled so prune can tell it apart from what others made. */
export function withOwnership(obj: KubeObject, app: string): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.labels = { ...copy.metadata.labels, [MANAGED_BY]: MANAGER_VALUE, [APP_LABEL]: app };
  return copy;
}

/** Only objects carrying both labels for this app are ever deleted by the agent. */
export function ownedBy(live: KubeObject, app: string): boolean {
  const labels = live.metadata.labels ?? {};
  return labels[MANAGED_BY] === MANAGER_VALUE && labels[APP_LABEL] === app;
}
