/**
 * The HTTP server: the web door's Hono app served by `Deno.serve`.
 *
 * @example
 * ```ts
 * const http = await startHttp(room, web, config);
 * console.log(`http listening on ${http.url}`); // http://127.0.0.1:8000/
 * await http.shutdown(); // requests still unfinished after SHUTDOWN_GRACE_MS are left to the process exit
 * ```
 */
import type { Config } from "../config.ts";
import type { Room } from "../room/room.ts";
import { createChatApp } from "./app.ts";
import type { WebDoor } from "./door.ts";

export interface HttpServer {
  /** e.g. `http://127.0.0.1:8000/` */
  readonly url: string;
  shutdown(): Promise<void>;
}

/**
 * How long shutdown waits for requests in flight. Deno's graceful shutdown waits for every one of them,
 * so a client that never finishes sending its body would otherwise keep the process from ever exiting.
 */
export const SHUTDOWN_GRACE_MS = 500;

export async function startHttp(room: Room, web: WebDoor, config: Config): Promise<HttpServer> {
  const app = await createChatApp({ room, web, config });
  const server = Deno.serve({ hostname: config.host, port: config.httpPort, onListen() {} }, app.fetch);
  const { hostname, port } = server.addr;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${port}/`,
    async shutdown() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        server.shutdown(),
        new Promise((resolve) => timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)),
      ]);
      clearTimeout(timer);
    },
  };
}
