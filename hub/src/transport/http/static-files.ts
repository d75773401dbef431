import type http from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

// The page talks only to its own origin and is never framed.
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** The built dashboard (web/dist), or undefined when the web workspace was not built. */
export function findDashboardDir(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve("@gitfleet/web/package.json");
    const dir = join(dirname(pkg), "dist");
    return existsSync(join(dir, "index.html")) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the dashboard: Vite's content-hashed /assets/* cached for a year, index.html revalidated
 * on every load so a new hub version is picked up at once. Answers false for paths it does not own.
 */
export function createStaticFiles(root: string) {
  const base = resolve(root);
  return async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const isIndex = path === "/" || path === "/index.html";
    if (!isIndex && !path.startsWith("/assets/") && path !== "/favicon.svg") return false;
    let file: string;
    try {
      file = resolve(base, "." + decodeURIComponent(isIndex ? "/index.html" : path));
    } catch {
      return false;
    }
    if (!file.startsWith(base + sep)) return false;
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return false;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      "content-length": body.length,
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
