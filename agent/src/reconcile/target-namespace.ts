import { readLive, type Kube } from "../kube/client.js";
import { MANAGED_BY, MANAGER_VALUE } from "../common/labels.js";
import { errorMessage, TerminalError } from "./outcome.js";
import { isTransient } from "../kube/errors.js";

/**
 * Creates the target's namespace when it is missing (Assignment.createNamespace), labelled as
 * managed by gitfleet but owned by no App: it is never pruned, and an App whose bundle defines
 * the Namespace adopts it. An agent limited to namespaces (--namespaces) cannot create any.
 */
export async function ensureTargetNamespace(kube: Kube, name: string, limited: boolean): Promise<void> {
  if (!name || limited) return;
  const id = { apiVersion: "v1", kind: "Namespace", name };
  if (await readLive(kube, id)) return;
  try {
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { [MANAGED_BY]: MANAGER_VALUE } } });
  } catch (err) {
    if (isTransient(err)) throw err;
    throw new TerminalError(`cannot create the target namespace "${name}": ${errorMessage(err)}`, { cause: err });
  }
}
