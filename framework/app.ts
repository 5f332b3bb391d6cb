/**
 * A Fresh-style app on Hono, generic over the app's own `Env`: the island bundle, the files under a static
 * folder, and the routes found under a routes folder (see fs_routes.ts), behind whatever middleware the app
 * puts in front (and HEAD lengths, see head.ts). It knows nothing of what the app does.
 *
 * @example
 * ```ts
 * import { createApp } from "./app.ts";
 * const root = new URL("../", import.meta.url);
 * const app = await createApp({
 *   routes: new URL("routes/", root),
 *   islands: new URL("islands/", root),
 *   static: new URL("static/", root),
 *   config: new URL("deno.json", root),
 * });
 * const response = await app.request("/styles.css"); // a static file
 * ```
 */
import { type Context, type Env, Hono, type MiddlewareHandler } from "hono";
import { IMMUTABLE, IslandBundle } from "./bundle.ts";
import { headLength } from "./head.ts";
import { type Handler, METHODS, type RouteTable, scanRoutes } from "./fs_routes.ts";
import { scanIslands } from "./island.ts";
import { ISLANDS_PATH } from "./island_shared.ts";
import { type PageRenderer, PageResult, renderPage } from "./page.ts";
import { staticFiles } from "./static_files.ts";

/** Where the app finds its files. */
export interface AppFolders {
  routes: URL;
  islands: URL;
  static: URL;
  /** The deno.json the island bundle is built with (its import map and JSX settings). */
  config: URL;
}

/** Builds the app; `middleware` runs in front of everything (headers, the app's context variables). */
export async function createApp<E extends Env>(
  folders: AppFolders,
  middleware: MiddlewareHandler<E>[] = [],
): Promise<Hono<E>> {
  const islands = await scanIslands(folders.islands);
  const bundle = new IslandBundle(islands, { config: folders.config });
  const table = await scanRoutes(folders.routes);
  const app = new Hono<E>();
  app.use(headLength);
  for (const handler of middleware) app.use(handler);
  app.get(`${ISLANDS_PATH}:file`, async (c) => {
    if (islands.length === 0) return c.notFound();
    const built = await bundle.get();
    if (c.req.path !== built.path) return c.notFound();
    return c.body(built.code, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": IMMUTABLE });
  });
  app.use(await staticFiles(folders.static));
  mountRoutes(app, table, { app: table.app, bundle });
  return app;
}

/** Puts every route of the table on `app`, with its folders' middleware in front. */
export function mountRoutes<E extends Env>(app: Hono<E>, table: RouteTable, renderer: PageRenderer): void {
  // Hono's typed overloads stop at a fixed number of handlers; the middleware list is open-ended.
  const on = app.on.bind(app) as unknown as Register;
  for (const route of table.routes) {
    const { handler, default: component } = route.module;
    const toResponse = (fn: Handler) => async (c: Context) => {
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

type Register = (method: string, path: string, ...handlers: MiddlewareHandler[]) => void;
const ALL = "ALL";

function methodNotAllowed(allowed: string[]): MiddlewareHandler {
  const allow = allowed.includes("GET") && !allowed.includes("HEAD") ? [...allowed, "HEAD"] : allowed;
  return (c) => Promise.resolve(c.json({ error: "method not allowed" }, 405, { Allow: allow.join(", ") }));
}
