/**
 * The API's guard against cross-site request forgery: a request that can change state (any method but
 * GET, HEAD and OPTIONS) must carry an `Origin` header naming the request's own host: the one `Host` the
 * HTTP server checked, which its URL is built from (an absolute-form target naming another is refused
 * before, see hosts.ts `namedHost`). Browsers send `Origin` with every such request, so a missing one is
 * refused too. (Hono's `csrf` middleware checks only form and plain-text bodies and would wave a JSON body
 * through, which is why this is ours.)
 *
 * @example
 * ```ts
 * const request = new Request("http://127.0.0.1:8000/api/messages", {
 *   method: "POST",
 *   headers: { Origin: "https://evil.example" },
 * });
 * originProblem(request); // "cross-origin request refused"
 * ```
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** Why `request` must be refused, or undefined when it may proceed. */
export function originProblem(request: Request): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const origin = request.headers.get("Origin");
  if (origin === null) return "missing Origin header, request refused";
  if (hostOf(origin) !== new URL(request.url).host) return "cross-origin request refused";
  return undefined;
}

/**
 * The `host:port` an origin names, or undefined for an opaque one (`null`). The scheme is left out on
 * purpose: behind a TLS proxy the page is `https://` while the request reaches us as `http://`, and one
 * host and port serve one scheme, so the host alone names the site.
 */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** Middleware: 403 JSON `{ error }` for a state-changing request from another origin (or none). */
export function sameOriginOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const problem = originProblem(c.req.raw);
    if (problem) return c.json({ error: problem }, 403);
    await next();
  };
}
