/**
 * The HTTP server: the web door's Hono app served over `node:http` through `@hono/node-server`, with the
 * connection limits applied at accept (gate.ts).
 *
 * @example
 * ```ts
 * const http = await startHttp(room, web, config, caps);
 * console.log(`http listening on ${http.url}`); // http://127.0.0.1:8000/
 * await http.shutdown(); // connections still busy after SHUTDOWN_GRACE_MS are cut
 * ```
 */
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Config } from "../config.ts";
import type { ConnectionCaps } from "../io/caps.ts";
import { within } from "../io/deadline.ts";
import type { Room } from "../room/room.ts";
import { createChatApp } from "./app.ts";
import type { WebDoor } from "./door.ts";
import { ConnectionGate } from "./gate.ts";

export interface HttpServer {
  /** e.g. `http://127.0.0.1:8000/` */
  readonly url: string;
  shutdown(): Promise<void>;
}

/** How long shutdown waits for connections still busy (a client that never finishes its body, say). */
export const SHUTDOWN_GRACE_MS = 500;

export async function startHttp(room: Room, web: WebDoor, config: Config, caps: ConnectionCaps): Promise<HttpServer> {
  const app = await createChatApp({ room, web, config });
  // Keeping the global Response as Deno's own: the adapter's would break any Deno.serve in the process.
  const serveApp = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  const gate = new ConnectionGate(caps);
  const server = createServer((req, res) => {
    if (gate.refused(req.socket)) return;
    void serveApp(req, res);
  });
  // Ahead of node:http's own listener, so a refused connection is answered before it parses anything.
  server.prependListener("connection", (socket) => gate.admit(socket));
  server.on("error", (error) => console.error("http server error:", error));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.httpPort, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as { address: string; port: number };
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    async shutdown() {
      const closed = new Promise((resolve) => server.close(resolve));
      await within(closed, SHUTDOWN_GRACE_MS);
      server.closeAllConnections();
    },
  };
}
