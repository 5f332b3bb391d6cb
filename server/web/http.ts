/**
 * The HTTP server: the web door's Hono app served over `node:http` through `@hono/node-server`. In front
 * of the app: the connection limits at accept (gate.ts), the `Host` check (hosts.ts, 421), and node:http's
 * own time limits (a request head within `--header-timeout`, a whole request within `--request-timeout`,
 * idle keep-alive connections closed after `--idle-timeout`). The accept watch keeps it accepting after
 * descriptors ran out (accept_watch.ts).
 *
 * @example
 * ```ts
 * import type { Config } from "../config.ts";
 * import type { ConnectionCaps } from "../io/caps.ts";
 * import type { Room } from "../room/room.ts";
 * import type { WebDoor } from "./door.ts";
 * import { startHttp } from "./http.ts";
 * export async function serveFor(room: Room, web: WebDoor, config: Config, caps: ConnectionCaps): Promise<void> {
 *   const http = await startHttp(room, web, config, caps);
 *   console.log(`http listening on ${http.url}`); // http://127.0.0.1:8000/
 *   await http.shutdown(); // connections still busy after SHUTDOWN_GRACE_MS are cut
 * }
 * ```
 */
import { createServer, type ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Config } from "../config.ts";
import type { ConnectionCaps } from "../io/caps.ts";
import { within } from "../async/deadline.ts";
import type { Room } from "../room/room.ts";
import { errorFields, log } from "../ops/log.ts";
import { AcceptWatch } from "./accept_watch.ts";
import { createChatApp, SECURITY_HEADER_VALUES } from "./app.ts";
import type { WebDoor } from "./door.ts";
import { ConnectionGate } from "./gate.ts";
import { AllowedHosts } from "./hosts.ts";

export interface HttpServer {
  /** e.g. `http://127.0.0.1:8000/` */
  readonly url: string;
  /** Makes sure soon that the server still accepts (e.g. descriptors ran out elsewhere). */
  checkAccept(): void;
  shutdown(): Promise<void>;
}

/** How long shutdown waits for connections still busy (a client that never finishes its body, say). */
export const SHUTDOWN_GRACE_MS = 500;
/** How often node:http looks for requests over their time limits: often enough for the shortest one. */
const CHECK_INTERVALS_PER_TIMEOUT = 4;
const MAX_CHECK_INTERVAL_MS = 1000;

export async function startHttp(room: Room, web: WebDoor, config: Config, caps: ConnectionCaps): Promise<HttpServer> {
  const app = await createChatApp({ room, web, config, connections: caps });
  // Keeping the global Response as Deno's own: the adapter's would break any Deno.serve in the process.
  const serveApp = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  const gate = new ConnectionGate(caps);
  const headerTimeout = config.headerTimeout * 1000;
  const server = createServer({
    headersTimeout: headerTimeout,
    requestTimeout: config.requestTimeout * 1000,
    keepAliveTimeout: config.idleTimeout * 1000,
    connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, headerTimeout / CHECK_INTERVALS_PER_TIMEOUT),
  });
  server.on("error", (error) => log.error("web.server_error", errorFields(error, true)));
  server.on("clientError", (error, socket) => gate.clientError(error, socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.httpPort, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as { address: string; port: number };
  // Attached in the same turn as listening ends, before any connection can be read.
  const hosts = new AllowedHosts(config.host, port, config.publicHost);
  server.on("request", (req, res) => {
    if (gate.refused(req.socket)) return;
    if (!hosts.allows(req.headers.host)) return misdirected(res);
    void serveApp(req, res);
  });
  const watch = new AcceptWatch(server, { host: config.host, port });
  // Ahead of node:http's own listener, so a refused connection is answered before it parses anything.
  server.prependListener("connection", (socket) => {
    watch.arrived();
    gate.admit(socket);
  });
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    checkAccept: () => watch.check(),
    async shutdown() {
      watch.stop();
      const closed = new Promise((resolve) => server.close(resolve));
      await within(closed, SHUTDOWN_GRACE_MS);
      server.closeAllConnections();
    },
  };
}

/** 421: the request names a host this server does not answer for (see hosts.ts). */
function misdirected(res: ServerResponse): void {
  const body = JSON.stringify({ error: "misdirected request: this server does not answer for that host" });
  res.writeHead(421, {
    ...SECURITY_HEADER_VALUES,
    "Content-Type": "application/json",
    "Content-Length": String(new TextEncoder().encode(body).length),
    "Cache-Control": "no-store",
  });
  res.end(body);
}
