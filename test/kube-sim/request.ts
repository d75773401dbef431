// One raw request to a sim, over https with its CA or plain http, for tests and tools that bypass client libraries.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

export interface SimResponse { status: number; headers: IncomingHttpHeaders; body: Buffer; json: () => any }
export interface SimRequestInit { body?: string | Buffer; headers?: Record<string, string>; token?: string }

export function simRequest(base: { url: string; ca?: string; token: string }, method: string, path: string, init: SimRequestInit = {}): Promise<SimResponse> {
  const url = new URL(path, base.url);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, ca: base.ca, headers: { Authorization: `Bearer ${init.token ?? base.token}`, ...init.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString("utf8")) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
