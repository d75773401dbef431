import { describe, expect, it } from "vitest";
import {
  applyOrder, bundleDigest, canonicalize, objectKey, parseBundle, parseObjectKey,
  type KubeObject,
} from "./manifest.js";

const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion, kind, metadata: namespace ? { name, namespace } : { name },
});

describe("objectKey", () => {
  it("uses the API group, empty for core and for cluster-scoped namespace", () => {
    expect(objectKey(obj("apps/v1", "Deployment", "web", "prod"))).toBe("apps/Deployment/prod/web");
    expect(objectKey(obj("v1", "Namespace", "prod"))).toBe("/Namespace//prod");
  });

  it("round-trips through parseObjectKey", () => {
    expect(parseObjectKey("apps/Deployment/prod/web"))
      .toEqual({ group: "apps", kind: "Deployment", namespace: "prod", name: "web" });
    expect(parseObjectKey("/Namespace//prod"))
      .toEqual({ group: "", kind: "Namespace", namespace: "", name: "prod" });
    expect(() => parseObjectKey("apps/Deployment/web")).toThrow(/invalid object key/);
  });
});

describe("canonicalize", () => {
  const a: KubeObject = { kind: "ConfigMap", apiVersion: "v1", metadata: { namespace: "x", name: "a" }, data: { z: "1", a: "2" } };
  const b: KubeObject = { apiVersion: "v1", data: { a: "2", z: "1" }, kind: "ConfigMap", metadata: { name: "a", namespace: "x" } };

  it("is independent of key order and object order", () => {
    const ns = obj("v1", "Namespace", "x");
    const crd = obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "foos.example.com");
    const one = canonicalize([a, ns, crd]);
    expect(canonicalize([crd, b, ns])).toBe(one);
    expect(bundleDigest(one)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(one.split("\n")[0]).toContain('"kind":"Namespace"');
    expect(one.split("\n")[1]).toContain('"kind":"CustomResourceDefinition"');
  });

  it("sorts keys recursively and keeps array order", () => {
    const text = canonicalize([{ ...a, list: [{ b: 1, a: 2 }, 3] }]);
    expect(text).toBe('{"apiVersion":"v1","data":{"a":"2","z":"1"},"kind":"ConfigMap",' +
      '"list":[{"a":2,"b":1},3],"metadata":{"name":"a","namespace":"x"}}\n');
  });

  it("changes the digest when content changes", () => {
    const changed = { ...a, data: { z: "1", a: "3" } };
    expect(bundleDigest(canonicalize([changed]))).not.toBe(bundleDigest(canonicalize([a])));
  });

  it("is inverted by parseBundle", () => {
    const text = canonicalize([a, obj("v1", "Namespace", "x")]);
    expect(canonicalize(parseBundle(text))).toBe(text);
    expect(parseBundle("")).toEqual([]);
  });

  it("parseBundle names the bad line", () => {
    expect(() => parseBundle('{"apiVersion":"v1","kind":"A","metadata":{"name":"a"}}\n{')).toThrow(/line 2/);
    expect(() => parseBundle('{"kind":"A"}\n')).toThrow(/line 1: not a Kubernetes object/);
  });
});

describe("applyOrder", () => {
  it("puts namespaces, CRDs and RBAC first, custom resources after built-ins, webhooks last", () => {
    const objects = [
      obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "hook"),
      obj("example.com/v1", "Foo", "f", "app"),
      obj("apps/v1", "Deployment", "web", "app"),
      obj("v1", "Service", "web", "app"),
      obj("rbac.authorization.k8s.io/v1", "ClusterRole", "reader"),
      obj("v1", "ServiceAccount", "sa", "app"),
      obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "foos.example.com"),
      obj("v1", "Namespace", "app"),
    ];
    expect(applyOrder(objects).map((o) => o.kind)).toEqual([
      "Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole",
      "Service", "Deployment", "Foo", "ValidatingWebhookConfiguration",
    ]);
  });

  it("matches kinds by group, so a custom Service kind is not the core one", () => {
    const custom = obj("example.com/v1", "Service", "s", "app");
    const deploy = obj("apps/v1", "Deployment", "web", "app");
    expect(applyOrder([custom, deploy])).toEqual([deploy, custom]);
  });
});
