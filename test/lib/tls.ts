import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** Makes a throwaway CA and a server certificate for 127.0.0.1/localhost signed by it, with openssl. */
export async function makeTestCa(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const p = (f: string) => join(dir, f);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await exec("openssl", ["req", "-x509", ...ec, "-keyout", p("ca.key"), "-out", p("ca.crt"), "-subj", "/CN=gitfleet-test-ca", "-days", "1"]);
  await exec("openssl", ["req", ...ec, "-keyout", p("hub.key"), "-out", p("hub.csr"), "-subj", "/CN=gitfleet-hub"]);
  await writeFile(p("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await exec("openssl", ["x509", "-req", "-in", p("hub.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("hub.crt"), "-days", "1", "-extfile", p("san.ext")]);
  return { ca: p("ca.crt"), cert: p("hub.crt"), key: p("hub.key") };
}
