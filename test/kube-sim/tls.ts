// A throwaway CA and serving certificate per process (made with the openssl CLI), as a real cluster has: kubeconfigs
// carry the CA, so kubectl and client-node verify the server and send the bearer token in the Authorization header.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export interface TlsMaterial { ca: string; cert: string; key: string }

const run = promisify(execFile);
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const cache = new Map<string, Promise<TlsMaterial>>();

/** CA and serving certificate for host (plus 127.0.0.1 and localhost), made once per process and host */
export function tlsFor(host: string): Promise<TlsMaterial> {
  let hit = cache.get(host);
  if (!hit) {
    hit = generate(host);
    hit.catch(() => cache.delete(host));
    cache.set(host, hit);
  }
  return hit;
}

async function generate(host: string): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), "kube-sim-tls-"));
  const f = (name: string) => join(dir, name);
  const sans = new Set(["IP:127.0.0.1", "DNS:localhost", `${isIP(host) ? "IP" : "DNS"}:${host}`]);
  try {
    await run("openssl", ["req", "-x509", ...EC, "-days", "7", "-subj", "/CN=kube-sim-ca", "-keyout", f("ca.key"), "-out", f("ca.crt"),
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    await run("openssl", ["req", ...EC, "-subj", "/CN=kube-apiserver", "-keyout", f("server.key"), "-out", f("server.csr")]);
    await writeFile(f("ext"), `subjectAltName=${[...sans].join(",")}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
    await run("openssl", ["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial",
      "-days", "7", "-extfile", f("ext"), "-out", f("server.crt")]);
    const [ca, cert, key] = await Promise.all(["ca.crt", "server.crt", "server.key"].map((n) => readFile(f(n), "utf8")));
    return { ca: ca!, cert: cert!, key: key! };
  } catch (e) {
    throw new Error(`kube-sim: cannot make its TLS certificates with openssl (pass tls: false to serve plain http): ${(e as Error).message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
