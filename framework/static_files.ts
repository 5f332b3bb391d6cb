/**
 * Files under `static/`, served at the same path from the site root (`static/styles.css` →
 * `/styles.css`). Read into memory at start-up (they are few and small); answered with an ETag so
 * browsers revalidate cheaply and always see the current version.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { staticFiles } from "./static_files.ts";
 * const app = new Hono().use(await staticFiles(new URL("../static/", import.meta.url)));
 * const response = await app.request("/styles.css"); // 200, text/css, with an ETag
 * ```
 */
import type { MiddlewareHandler } from "hono";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  json: "application/json",
  webmanifest: "application/manifest+json",
  woff2: "font/woff2",
};

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** A middleware answering GET and HEAD for every file under `dir`; other requests pass through. */
export async function staticFiles(dir: URL): Promise<MiddlewareHandler> {
  const files = new Map<string, StaticFile>();
  for (const path of await listFiles(dir)) {
    const body = await Deno.readFile(new URL(path, dir));
    const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
    const etag = `"${[...digest.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
    files.set("/" + path, { body, type: TYPES[extension] ?? "application/octet-stream", etag });
  }
  return async (c, next) => {
    const file = c.req.method === "GET" || c.req.method === "HEAD" ? files.get(c.req.path) : undefined;
    if (!file) return await next();
    const headers = { "Content-Type": file.type, "ETag": file.etag, "Cache-Control": "no-cache" };
    if (c.req.header("If-None-Match") === file.etag) return c.body(null, 304, headers);
    return c.body(file.body, 200, headers);
  };
}

async function listFiles(dir: URL, prefix = ""): Promise<string[]> {
  const paths: string[] = [];
  try {
    for await (const entry of Deno.readDir(new URL(prefix, dir))) {
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory) paths.push(...await listFiles(dir, `${prefix}${entry.name}/`));
      else if (entry.isFile) paths.push(prefix + entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return paths;
}
