// Discovery documents: legacy (/api, /apis, /apis/G/V) and aggregated (apidiscovery.k8s.io v2 / v2beta1).
import type { Registry, ResourceType } from "./kinds.js";
import type { KObj } from "./util.js";

export const VERSION_INFO = {
  major: "1", minor: "32", gitVersion: "v1.32.4", gitCommit: "59526cd4867447956156ae3a602fcbac10a2c335",
  gitTreeState: "clean", buildDate: "2025-04-22T16:02:27Z", goVersion: "go1.23.6", compiler: "gc", platform: "linux/amd64",
};

const SERVER_ADDR = [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }];

function subresources(rt: ResourceType): Array<{ name: string; kind: string; group: string; version: string; verbs: string[] }> {
  const out = [];
  if (rt.status) out.push({ name: "status", kind: rt.kind, group: rt.group, version: rt.version, verbs: ["get", "patch", "update"] });
  if (rt.scale) out.push({ name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] });
  return out;
}

/** groups in the order the real server lists them: core first, then by name */
function groups(reg: Registry): Map<string, ResourceType[][]> {
  const m = new Map<string, Map<string, ResourceType[]>>();
  for (const t of reg.all()) {
    const g = m.get(t.group) ?? new Map<string, ResourceType[]>();
    g.set(t.version, [...(g.get(t.version) ?? []), t]);
    m.set(t.group, g);
  }
  const out = new Map<string, ResourceType[][]>();
  for (const name of [...m.keys()].sort()) {
    const versions = [...m.get(name)!.entries()].sort(([a], [b]) => versionPriority(b) - versionPriority(a)).map(([, ts]) => ts);
    out.set(name, versions);
  }
  return out;
}

/** v1 > v1beta2 > v1beta1 > v1alpha1, like Kubernetes version priority */
function versionPriority(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  const major = Number(m[1]);
  const stage = m[2] === "alpha" ? 1 : m[2] === "beta" ? 2 : 3;
  return stage * 10000 + major * 100 + Number(m[3] ?? 0);
}

export function apiVersions(): KObj {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: SERVER_ADDR };
}

export function apiGroupList(reg: Registry): KObj {
  const out: KObj[] = [];
  for (const [name, versions] of groups(reg)) {
    if (name === "") continue;
    const vs = versions.map((ts) => ({ groupVersion: `${name}/${ts[0]!.version}`, version: ts[0]!.version }));
    out.push({ name, versions: vs, preferredVersion: vs[0] });
  }
  return { kind: "APIGroupList", apiVersion: "v1", groups: out };
}

export function apiGroup(reg: Registry, name: string): KObj | undefined {
  const versions = groups(reg).get(name);
  if (!versions || name === "") return undefined;
  const vs = versions.map((ts) => ({ groupVersion: `${name}/${ts[0]!.version}`, version: ts[0]!.version }));
  return { kind: "APIGroup", apiVersion: "v1", name, versions: vs, preferredVersion: vs[0] };
}

export function apiResourceList(reg: Registry, group: string, version: string): KObj | undefined {
  const ts = reg.all().filter((t) => t.group === group && t.version === version);
  if (!ts.length) return undefined;
  const resources: KObj[] = [];
  for (const t of ts.sort((a, b) => a.plural.localeCompare(b.plural))) {
    const r: KObj = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
    if (t.shortNames.length) r.shortNames = t.shortNames;
    if (t.categories.length) r.categories = t.categories;
    resources.push(r);
    for (const s of subresources(t)) {
      const sr: KObj = { name: `${t.plural}/${s.name}`, singularName: "", namespaced: t.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.kind === "Scale") { sr.group = s.group; sr.version = s.version; }
      resources.push(sr);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

export function aggregated(reg: Registry, legacy: boolean, version: "v2" | "v2beta1"): KObj {
  const items: KObj[] = [];
  for (const [name, versions] of groups(reg)) {
    if ((name === "") !== legacy) continue;
    items.push({
      metadata: { name, creationTimestamp: null },
      versions: versions.map((ts) => ({
        version: ts[0]!.version,
        resources: ts.sort((a, b) => a.plural.localeCompare(b.plural)).map((t) => {
          const r: KObj = {
            resource: t.plural, responseKind: { group: t.group, version: t.version, kind: t.kind },
            scope: t.namespaced ? "Namespaced" : "Cluster", singularResource: t.singular, verbs: t.verbs,
          };
          if (t.shortNames.length) r.shortNames = t.shortNames;
          if (t.categories.length) r.categories = t.categories;
          const subs = subresources(t);
          if (subs.length) r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
          return r;
        }),
        freshness: "Current",
      })),
    });
  }
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
