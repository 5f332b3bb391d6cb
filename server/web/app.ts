/**
 * The chat's web app: the Fresh-style app (framework/) over the project's `routes/`, `islands/` and
 * `static/`, with security headers on every response, `c.var.room/web/config` for every request, and the
 * chat's own error answers. server/web/http.ts serves it over node:http.
 *
 * @example
 * ```ts
 * import type { Config } from "../config.ts";
 * import type { Room } from "../room/room.ts";
 * import { createChatApp } from "./app.ts";
 * import type { WebDoor } from "./door.ts";
 * export async function styles(room: Room, web: WebDoor, config: Config): Promise<Response> {
 *   const app = await createChatApp({ room, web, config });
 *   return await app.request("/styles.css");
 * }
 * ```
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { type AppFolders, createApp } from "../../framework/app.ts";
import { errorFields, log } from "../ops/log.ts";
import type { AppEnv, WebVariables } from "./env.ts";

const ROOT = new URL("../../", import.meta.url);

export const CHAT_FOLDERS: AppFolders = {
  routes: new URL("routes/", ROOT),
  islands: new URL("islands/", ROOT),
  static: new URL("static/", ROOT),
  config: new URL("deno.json", ROOT),
};

export const SECURITY_HEADERS: MiddlewareHandler = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: "no-referrer",
  xContentTypeOptions: "nosniff",
  xFrameOptions: "DENY",
});

/**
 * The headers {@link SECURITY_HEADERS} puts on a response, as values, for what is answered outside Hono:
 * event streams and refused connections. They depend on nothing of the request.
 */
export const SECURITY_HEADER_VALUES: Readonly<Record<string, string>> = await headersOf(SECURITY_HEADERS);

async function headersOf(middleware: MiddlewareHandler): Promise<Record<string, string>> {
  const response = await new Hono().use(middleware).get("/", (c) => c.body(null, 204)).request("/");
  return Object.fromEntries(response.headers);
}

export async function createChatApp(vars: WebVariables, folders: AppFolders = CHAT_FOLDERS): Promise<Hono<AppEnv>> {
  const setVariables: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set("room", vars.room);
    c.set("web", vars.web);
    c.set("config", vars.config);
    c.set("connections", vars.connections);
    c.set("metrics", vars.metrics);
    c.set("proxies", vars.proxies);
    await next();
  };
  const app = await createApp<AppEnv>(folders, [SECURITY_HEADERS, setVariables]);
  app.notFound((c) => failure(c, 404, "not found"));
  app.onError((error, c) => {
    log.error("web.request_error", { method: c.req.method, path: c.req.path, ...errorFields(error, true) });
    return failure(c, 500, "internal server error");
  });
  return app;
}

/** JSON for the API and anything that is not a page request; a small HTML page for browsers. */
function failure(c: Context<AppEnv>, status: 404 | 500, message: string): Response {
  if (c.req.path.startsWith("/api/") || !(c.req.header("Accept") ?? "").includes("text/html")) {
    return c.json({ error: message }, status);
  }
  return c.html(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${status}</title>` +
      `<link rel="stylesheet" href="/styles.css"></head><body class="error-page"><main><h1>${status}</h1>` +
      `<p>${message}</p><p><a href="/">Back to the chat</a></p></main></body></html>`,
    status,
  );
}
