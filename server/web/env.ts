/**
 * What every web route can reach through Hono's context: `c.var.room`, `c.var.web`, `c.var.config`, and
 * `c.var.connections` and `c.var.metrics` when the app is served by the HTTP server (see http.ts).
 */
import type { Config } from "../config.ts";
import type { ConnectionCaps } from "../io/caps.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { TrustedProxies } from "../net/trusted_proxies.ts";
import type { Room } from "../room/room.ts";
import type { WebDoor } from "./door.ts";

export interface WebVariables {
  room: Room;
  web: WebDoor;
  /** What of the server's settings the routes read: no more (see {@link WebConfig}). */
  config: WebConfig;
  /** The connection limits the HTTP server applies at accept (shared with the TCP door). */
  connections?: ConnectionCaps;
  /** Proxies whose `X-Forwarded-For` or `Forwarded` names the client (--trust-proxy); absent: none. */
  proxies?: TrustedProxies;
  /** The server's metrics, for `GET /metrics` (absent: 404). */
  metrics?: Metrics;
}

/**
 * The settings routes read: the page's history and `nc` hint, the body cap, whether the metrics have a port of
 * their own, whether cookies are Secure.
 */
export type WebConfig = Pick<Config, "history" | "host" | "tcpPort" | "maxLine" | "metricsPort" | "tlsCert">;

export type AppEnv = { Variables: WebVariables };
