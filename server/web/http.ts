/**
 * The HTTP server: the Hono app with the file routes, served by Deno.serve.
 * (Skeleton: the pages helper fills this in.)
 */
import type { Config } from "../config.ts";
import type { Room } from "../room/room.ts";
import type { WebDoor } from "./door.ts";

export interface HttpServer {
  /** e.g. `http://127.0.0.1:8000/` */
  readonly url: string;
  shutdown(): Promise<void>;
}

export function startHttp(
  _room: Room,
  _web: WebDoor,
  config: Config,
): Promise<HttpServer> {
  const server = Deno.serve({
    hostname: config.host,
    port: config.httpPort,
    onListen() {},
  }, () => new Response("not yet", { status: 503 }));
  const { hostname, port } = server.addr;
  return Promise.resolve({
    url: `http://${hostname}:${port}/`,
    shutdown: () => server.shutdown(),
  });
}
