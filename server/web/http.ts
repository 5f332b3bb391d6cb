/**
 * The HTTP server: the web door's Hono app served over `node:http` through `@hono/node-server`. In front
 * of the app: the connection limits at accept (gate.ts), the `Host` check (hosts.ts: one Host, which an
 * absolute-form target must repeat, else 400; a host not ours, 421), and node:http's
 * own time limits (a request head within `--header-timeout`, a whole request within `--request-timeout`,
 * idle keep-alive connections closed after `--idle-timeout`). The accept watch keeps it accepting after
 * descriptors ran out (accept_watch.ts). Given the TLS files (`--tls-cert`) it serves HTTPS instead, on the same port
 * (`node:https`, a TLS handshake within `--header-timeout` too); {@link HttpServer.reload} puts new
 * certificate files in use for new connections, the open ones (event streams) stay.
 *
 * @example
 * ```ts
 * import type { Config } from "../config.ts";
 * import type { ConnectionCaps } from "../io/caps.ts";
import type { Metrics } from "../ops/metrics.ts";
 * import type { Room } from "../room/room.ts";
 * import type { WebDoor } from "./door.ts";
 * import { startHttp } from "./http.ts";
 * export async function serveFor(room: Room, web: WebDoor, config: Config, caps: ConnectionCaps): Promise<void> {
 *   const http = await startHttp(room, web, config, caps); // with { tls: LoadedTls } as well: HTTPS
 *   console.log(`http listening on ${http.url}`); // http://127.0.0.1:8000/
 *   await http.shutdown(); // connections still busy after SHUTDOWN_GRACE_MS are cut
 * }
 * ```
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { getRequestListener } from "@hono/node-server";
import type { Config } from "../config.ts";
import type { ConnectionCaps } from "../io/caps.ts";
import type { Metrics } from "../ops/metrics.ts";
import { loadTlsFiles, type TlsFiles, type TlsPair } from "../io/tls_files.ts";
import { within } from "../async/deadline.ts";
import type { Room } from "../room/room.ts";
import { errorFields, log } from "../ops/log.ts";
import { AcceptWatch, listen } from "./accept_watch.ts";
import { createChatApp, SECURITY_HEADER_VALUES } from "./app.ts";
import type { WebDoor } from "./door.ts";
import { ConnectionGate } from "./gate.ts";
import { AllowedHosts, namedHost } from "./hosts.ts";

export interface HttpServer {
  /** e.g. `http://127.0.0.1:8000/` */
  readonly url: string;
  /** Makes sure soon that the server still accepts (e.g. descriptors ran out elsewhere). */
  checkAccept(): void;
  /**
   * HTTPS only: rereads the certificate files; new connections get them. Files that cannot be used are
   * logged and the ones in use stay. Returns whether the new files were taken.
   */
  reload(): boolean;
  shutdown(): Promise<void>;
}

/** How long shutdown waits for connections still busy (a client that never finishes its body, say). */
export const SHUTDOWN_GRACE_MS = 500;
/** How often node:http looks for requests over their time limits: often enough for the shortest one. */
const CHECK_INTERVALS_PER_TIMEOUT = 4;
const MAX_CHECK_INTERVAL_MS = 1000;

/** The certificate files and the pair already read from them: with these the web door serves HTTPS. */
export interface LoadedTls {
  files: TlsFiles;
  pair: TlsPair;
}

export async function startHttp(
  room: Room,
  web: WebDoor,
  config: Config,
  caps: ConnectionCaps,
  { tls, metrics }: { tls?: LoadedTls; metrics?: Metrics } = {},
): Promise<HttpServer> {
  const app = await createChatApp({ room, web, config, connections: caps, metrics, proxies: caps.options.proxies });
  // Keeping the global Response as Deno's own: the adapter's would break any Deno.serve in the process.
  const serveApp = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  const headerTimeout = config.headerTimeoutMs;
  const limits = {
    headersTimeout: headerTimeout,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.idleTimeoutMs,
    connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, headerTimeout / CHECK_INTERVALS_PER_TIMEOUT),
  };
  // node:https's server is node:http's with a TLS handshake in front: the same events and limits.
  const server: Server = tls
    ? createHttpsServer({ ...limits, ...tls.pair, handshakeTimeout: headerTimeout }) as unknown as Server
    : createServer(limits);
  const gate = new ConnectionGate(caps, tls !== undefined, web.counters);
  server.on("error", (error) => log.error("web.server_error", errorFields(error, true)));
  server.on("clientError", (error, socket) => gate.clientError(error, socket));
  await listen(server, config.httpPort, config.host);
  const { address, port } = server.address() as { address: string; port: number };
  // Attached in the same turn as listening ends, before any connection can be read.
  const hosts = new AllowedHosts(config.host, port, config.publicHost);
  server.on("request", (req, res) => {
    if (gate.refused(req.socket)) return;
    const named = namedHost(req.rawHeaders, req.url ?? "");
    if ("error" in named) return refuseRequest(res, 400, named.error, true);
    if (!hosts.allows(named.host)) return refuseRequest(res, 421, MISDIRECTED);
    req.url = named.path;
    void serveApp(req, res);
  });
  const watch = new AcceptWatch(server, { host: config.host, port });
  // Ahead of node:http's own listener, so a refused connection is answered before it parses anything.
  server.prependListener("connection", (socket) => {
    watch.arrived();
    gate.admit(socket);
  });
  // A connection refused at accept gets its answer once its handshake is done.
  if (tls) server.prependListener("secureConnection", (socket) => gate.secured(socket));
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `${tls ? "https" : "http"}://${host}:${port}/`,
    checkAccept: () => watch.check(),
    reload() {
      if (!tls) return false;
      try {
        (server as unknown as { setSecureContext(pair: object): void }).setSecureContext(loadTlsFiles(tls.files));
      } catch (error) {
        log.error("web.tls_reload_refused", { ...errorFields(error), kept: "the certificate in use" });
        return false;
      }
      log.info("web.tls_reloaded", { cert: tls.files.certFile });
      return true;
    },
    async shutdown() {
      watch.stop();
      const closed = new Promise((resolve) => server.close(resolve));
      await within(closed, SHUTDOWN_GRACE_MS);
      server.closeAllConnections();
    },
  };
}

const MISDIRECTED = "misdirected request: this server does not answer for that host";

/**
 * A request refused before any route: 400 (malformed: more than one Host, a target naming another host)
 * or 421 (it names a host this server does not answer for, see hosts.ts). `close`: the connection is not
 * reused, since what else the client sends on it cannot be trusted either.
 */
function refuseRequest(res: ServerResponse, status: 400 | 421, error: string, close = false): void {
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    ...SECURITY_HEADER_VALUES,
    "Content-Type": "application/json",
    "Content-Length": String(new TextEncoder().encode(body).length),
    "Cache-Control": "no-store",
    ...(close ? { "Connection": "close" } : {}),
  });
  res.end(body);
}
