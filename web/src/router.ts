import { useEffect, useState } from "preact/hooks";

/** The pages there are, and what each needs from its route. */
export type Route =
  | { page: "fleet" | "audit" | "clusters" | "drift" | "missing" }
  | { page: "cluster"; name: string }
  | { page: "app"; name: string; cluster?: string }
  | { page: "drift-detail"; cluster: string; app: string };

/** `#/apps/web/eu-1` → ["apps", "web", "eu-1"]; a part that is not valid percent-encoding stays as typed. */
export function parseHash(hash: string): string[] {
  return hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodePart);
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Which page a route shows; parts beyond what a page takes are ignored. */
export function routeOf([section = "fleet", first, second]: string[]): Route {
  switch (section) {
    case "fleet":
    case "audit":
      return { page: section };
    case "clusters":
      return first ? { page: "cluster", name: first } : { page: "clusters" };
    case "apps":
      return first ? { page: "app", name: first, ...(second ? { cluster: second } : {}) } : { page: "missing" };
    case "drift":
      return first && second ? { page: "drift-detail", cluster: first, app: second } : { page: "drift" };
    default:
      return { page: "missing" };
  }
}

/** Hash routes (#/fleet, #/apps/web): the hub serves one index.html, and no token ever sits in a URL. */
export function useRoute(): string[] {
  const parse = () => parseHash(location.hash);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onHash = () => setRoute(parse());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  return route;
}

export const href = (...parts: string[]) => "#/" + parts.map(encodeURIComponent).join("/");
