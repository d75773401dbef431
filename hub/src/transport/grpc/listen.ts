import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type * as grpc from "@grpc/grpc-js";

/**
 * Listens for gRPC with a long accept queue. grpc-js's bindAsync listens with Node's default
 * backlog of 511 and has no option for it; 10,000 agents dialling a hub whose one event loop is
 * busy overflow that, and the kernel drops their handshakes (agents see connect ETIMEDOUT or
 * read ECONNRESET and back off). Here a plain TCP server with the backlog hands each connection
 * to grpc-js (its connection injector: same credentials, keepalive and handlers as bindAsync's).
 * The kernel caps the backlog at net.core.somaxconn.
 */
export async function listenGrpc(server: grpc.Server, host: string, port: number, creds: grpc.ServerCredentials, backlog: number): Promise<{ port: number; close(): void }> {
  const injector = server.createConnectionInjector(creds);
  const tcp = createServer((socket) => injector.injectConnection(socket));
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen({ host: host.replace(/^\[(.*)\]$/, "$1"), port, backlog }, () => {
      tcp.off("error", reject);
      resolve();
    });
  });
  return {
    port: (tcp.address() as AddressInfo).port,
    close() {
      tcp.close();
      injector.destroy();
    },
  };
}
