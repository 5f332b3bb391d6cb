/**
 * The web door's Hono app: security headers on every response, `c.var.room/web/config` for every
 * request, the island bundle, the files under `static/`, and the routes found under `routes/`.
 *
 * @example
 * ```ts
 * const app = await createApp({ room, web, config });
 * Deno.serve({ port: 8000 }, app.fetch);
 * ```
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { IMMUTABLE, IslandBundle } from "./bundle.ts";
import type { AppEnv, WebVariables } from "./env.ts";
import { type Handler, METHODS, type RouteTable, scanRoutes } from "./fs_routes.ts";
import { scanIslands } from "./island.ts";
import { ISLANDS_PATH } from "./island_shared.ts";
import { type PageRenderer, PageResult, renderPage } from "./page.ts";
import { staticFiles } from "./static_files.ts";

/** Where the app finds its files; each defaults to the folder of that name in the project root. */
export interface AppFolders {
  routes?: URL;
  islands?: URL;
  static?: URL;
  /** The deno.json the island bundle is built with. */
  config?: URL;
}

const ROOT = new URL("../../", import.meta.url);

export async function createApp(vars: WebVariables, folders: AppFolders = {}): Promise<Hono<AppEnv>> {
  const islands = await scanIslands(folders.islands ?? new URL("islands/", ROOT));
  const bundle = new IslandBundle(islands, { config: folders.config ?? new URL("deno.json", ROOT) });
  const table = await scanRoutes(folders.routes ?? new URL("routes/", ROOT));
  const app = new Hono<AppEnv>();
  app.use(secureHeaders({
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
  }));
  app.use(async (c, next) => {
    c.set("room", vars.room);
    c.set("web", vars.web);
    c.set("config", vars.config);
    await next();
  });
  app.get(`${ISLANDS_PATH}:file`, async (c) => {
    if (islands.length === 0) return c.notFound();
    const built = await bundle.get();
    if (c.req.path !== built.path) return c.notFound();
    return c.body(built.code, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": IMMUTABLE });
  });
  app.use(await staticFiles(folders.static ?? new URL("static/", ROOT)));
  mountRoutes(app, table, { app: table.app, bundle });
  app.notFound((c) => failure(c, 404, "not found"));
  app.onError((error, c) => {
    console.error(`${c.req.method} ${c.req.path}:`, error);
    return failure(c, 500, "internal server error");
  });
  return app;
}

/** Puts every route of the table on `app`, with its folders' middleware in front. */
export function mountRoutes(app: Hono<AppEnv>, table: RouteTable, renderer: PageRenderer): void {
  // Hono's typed overloads stop at a fixed number of handlers; the middleware list is open-ended.
  const on = app.on.bind(app) as unknown as Register;
  for (const route of table.routes) {
    const { handler, default: component } = route.module;
    const toResponse = (fn: Handler) => async (c: Context<AppEnv>) => {
      const result = await fn(c);
      if (!(result instanceof PageResult)) return result;
      if (!component) throw new Error(`routes/${route.file} returned page() but has no default page component`);
      return renderPage(c, component, result, renderer);
    };
    if (typeof handler === "function") {
      on(ALL, route.pattern, ...route.middleware, toResponse(handler));
      continue;
    }
    const handlers = { ...handler };
    if (component && !handlers.GET) handlers.GET = () => new PageResult(undefined);
    const allowed = METHODS.filter((method) => handlers[method]);
    for (const method of allowed) on(method, route.pattern, ...route.middleware, toResponse(handlers[method]!));
    on(ALL, route.pattern, ...route.middleware, methodNotAllowed(allowed));
  }
}

type Register = (method: string, path: string, ...handlers: MiddlewareHandler<AppEnv>[]) => void;
const ALL = "ALL";

function methodNotAllowed(allowed: string[]): MiddlewareHandler<AppEnv> {
  const allow = allowed.includes("GET") && !allowed.includes("HEAD") ? [...allowed, "HEAD"] : allowed;
  return (c) => Promise.resolve(c.json({ error: "method not allowed" }, 405, { Allow: allow.join(", ") }));
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
