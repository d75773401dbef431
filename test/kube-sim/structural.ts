// Unknown-field detection and pruning for custom resources with a structural schema.
import { isObj, type KObj } from "./util.js";

/** Removes fields the schema does not declare (as the apiserver prunes) and returns their paths. */
export function checkUnknownFields(schema: KObj, obj: KObj): string[] {
  const out: string[] = [];
  const go = (s: KObj | undefined, v: unknown, path: string, root: boolean): void => {
    if (!s || s["x-kubernetes-preserve-unknown-fields"] === true && !s.properties) return;
    if (isObj(v)) {
      const props = s.properties as Record<string, KObj> | undefined;
      const addl = s.additionalProperties;
      for (const k of Object.keys(v)) {
        if (root && (k === "apiVersion" || k === "kind" || k === "metadata")) continue;
        const child = props?.[k] ?? (isObj(addl) ? addl : undefined);
        if (!child && !(addl === true) && !s["x-kubernetes-preserve-unknown-fields"]) {
          out.push(path ? `${path}.${k}` : k);
          delete v[k];
          continue;
        }
        go(child, v[k], path ? `${path}.${k}` : k, false);
      }
    } else if (Array.isArray(v) && isObj(s.items)) {
      v.forEach((x, i) => go(s.items as KObj, x, `${path}[${i}]`, false));
    }
  };
  go(schema, obj, "", true);
  return out;
}
