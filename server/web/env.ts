/**
 * What every web route can reach through Hono's context: `c.var.room`, `c.var.web`, `c.var.config`, and
 * `c.var.connections` and `c.var.metrics` when the app is served by the HTTP server (see http.ts).
 */
import type { Config } from "../config.ts";
import type { ConnectionCaps } from "../io/caps.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { Room } from "../room/room.ts";
import type { WebDoor } from "./door.ts";

export interface WebVariables {
  room: Room;
  web: WebDoor;
  config: Config;
  /** The connection limits the HTTP server applies at accept (shared with the TCP door). */
  connections?: ConnectionCaps;
  /** The server's metrics, for `GET /metrics` (absent: 404). */
  metrics?: Metrics;
}

export type AppEnv = { Variables: WebVariables };
