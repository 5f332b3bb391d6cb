/**
 * File-based routes, Fresh-style: scanning `routes/` gives the route table, and mounting it puts each
 * route on a Hono app. `index.tsx` → `/`, `about.tsx` → `/about`, `users/[id].ts` → `/users/:id`,
 * `files/[...path].ts` → `/files/:path{.+}` (the rest of the path); `_app.tsx` is the document shell; `_middleware.ts` in a folder
 * applies to every route in that folder and below; other `_`-prefixed files are private helpers.
 *
 * @example
 * ```ts
 * import { scanRoutes } from "./fs_routes.ts";
 * const table = await scanRoutes(new URL("../routes/", import.meta.url));
 * table.routes.map((route) => route.pattern); // ["/", "/healthz", "/metrics", "/readyz", "/api/events", …]
 * ```
 */
import type { Context, Env, MiddlewareHandler } from "hono";
import type { ComponentType } from "preact";
import { listModules } from "./files.ts";
import type { AppProps, PageProps, PageResult } from "./page.ts";

/**
 * One method's handler: a response, or `page(data)` to render the route's page component. The app's
 * `Env` (its context variables) is the app's own business: routes are loaded at run time, so the table
 * holds them for any `Env`.
 */
// deno-lint-ignore no-explicit-any
export type Handler<E extends Env = any> = (c: Context<E>) => Response | PageResult | Promise<Response | PageResult>;

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type Method = typeof METHODS[number];
export type Handlers = Partial<Record<Method, Handler>>;

/** What a file under `routes/` may export. */
export interface RouteModule {
  handler?: Handler | Handlers;
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<PageProps<any>>;
}

export interface Route {
  /** Hono path pattern, e.g. `/users/:id`. */
  pattern: string;
  /** Path of the file relative to `routes/`. */
  file: string;
  module: RouteModule;
  /** `_middleware.ts` handlers from the root folder down to the route's own folder, in that order. */
  middleware: MiddlewareHandler[];
}

export interface RouteTable {
  /** Most specific first: static segments before `:param`, `:param` before `[...rest]`. */
  routes: Route[];
  app: ComponentType<AppProps> | undefined;
}

/**
 * The Hono pattern for a route file, or undefined for files that are not routes (`_app`,
 * `_middleware`, other `_` files and folders).
 *
 * @example
 * ```ts
 * routePattern("users/[id]/index.tsx"); // "/users/:id"
 * ```
 */
export function routePattern(file: string): string | undefined {
  const segments = file.replace(EXTENSION, "").split("/");
  if (segments.some((segment) => segment.startsWith("_"))) return undefined;
  if (segments.at(-1) === "index") segments.pop();
  const parts = segments.map((segment) => {
    const rest = segment.match(/^\[\.\.\.(\w+)\]$/);
    if (rest) return `:${rest[1]}{.+}`;
    return segment.replace(/\[(\w+)\]/g, ":$1");
  });
  return "/" + parts.join("/");
}

/** Imports every module under `dir` and builds the route table. */
export async function scanRoutes(dir: URL): Promise<RouteTable> {
  const files = await listModules(dir);
  const load = (file: string) => import(new URL(file, dir).href);
  const middlewareByFolder = new Map<string, MiddlewareHandler[]>();
  let app: ComponentType<AppProps> | undefined;
  for (const file of files) {
    const folders = file.replace(EXTENSION, "").split("/");
    const name = folders.pop();
    if (folders.some((folder) => folder.startsWith("_"))) continue;
    if (name === "_app" && folders.length === 0) {
      app = (await load(file)).default;
    } else if (name === "_middleware") {
      const { handler } = await load(file);
      if (handler === undefined) throw new Error(`routes/${file} exports no handler`);
      middlewareByFolder.set(folders.join("/"), [handler].flat());
    }
  }
  const routes: Route[] = [];
  for (const file of files) {
    const pattern = routePattern(file);
    if (pattern === undefined) continue;
    const module: RouteModule = await load(file);
    if (module.handler === undefined && module.default === undefined) {
      throw new Error(`routes/${file} exports neither a handler nor a default page component`);
    }
    const middleware = ancestors(folderOf(file)).flatMap((folder) => middlewareByFolder.get(folder) ?? []);
    routes.push({ pattern, file, module, middleware });
  }
  routes.sort((a, b) => compareSpecificity(a.pattern, b.pattern));
  return { routes, app };
}

const EXTENSION = /\.[jt]sx?$/;

function folderOf(file: string): string {
  const slash = file.lastIndexOf("/");
  return slash === -1 ? "" : file.slice(0, slash);
}

/** "", "api", "api/v1" for "api/v1". */
function ancestors(folder: string): string[] {
  if (folder === "") return [""];
  const parts = folder.split("/");
  return ["", ...parts.map((_, i) => parts.slice(0, i + 1).join("/"))];
}

function rank(segment: string): number {
  return segment.endsWith("{.+}") ? 2 : segment.includes(":") ? 1 : 0;
}

/** Segment by segment, static before `:param` before `[...rest]`; then alphabetical. A total order. */
function compareSpecificity(a: string, b: string): number {
  const ka = a.split("/").map(rank).join("");
  const kb = b.split("/").map(rank).join("");
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
