/**
 * The metrics port (`--metrics-port`): `/metrics`, `/healthz` and `/readyz` on a port of their own, apart
 * from the public web door, so a firewall or `--metrics-host` can keep them private. A plain `node:http`
 * server: three fixed answers need no framework.
 *
 * @example
 * ```ts
 * import type { WebDoor } from "../web/door.ts";
 * import type { Metrics } from "./metrics.ts";
 * import { startMetricsServer } from "./metrics_server.ts";
 * export async function serveMetrics(web: WebDoor, metrics: Metrics): Promise<void> {
 *   const server = await startMetricsServer({ hostname: "127.0.0.1", port: 9464, ready: () => web.ready(), metrics });
 *   console.log(`metrics listening on ${server.url}`); // http://127.0.0.1:9464/metrics
 *   await server.close();
 * }
 * ```
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HEALTHY, readiness } from "./health.ts";
import { errorFields, log } from "./log.ts";
import type { Metrics } from "./metrics.ts";

export interface MetricsServerOptions {
  hostname: string;
  port: number;
  /** Why the room cannot take messages now, or undefined. */
  ready: () => string | undefined;
  metrics: Metrics;
}

export interface MetricsServer {
  /** e.g. `http://127.0.0.1:9464/metrics` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://metrics").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") return json(response, 405, { error: "GET only" });
    if (path === "/healthz") return json(response, HEALTHY.status, HEALTHY.body);
    if (path === "/readyz") {
      const { status, body } = readiness(options.ready());
      return json(response, status, body);
    }
    if (path !== "/metrics") return json(response, 404, { error: "not found" });
    options.metrics.text().then((text) => {
      response.writeHead(200, { "Content-Type": options.metrics.contentType });
      response.end(text);
    }, (error) => {
      log.error("metrics.scrape_error", errorFields(error, true));
      json(response, 500, { error: "internal server error" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A scraper's idle keep-alive connection would otherwise hold the close up.
        server.closeAllConnections();
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  response.end(JSON.stringify(body));
}
