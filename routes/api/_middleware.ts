/**
 * Every `/api/*` request: never cached, state changes only from our own origin (403), bodies no larger
 * than the longest message could need (413). Errors are JSON `{ "error": … }`.
 */
import type { MiddlewareHandler } from "hono";
import { jsonError, maxBodyBytes } from "../../server/web/api.ts";
import { limitBody } from "../../server/web/body_limit.ts";
import type { AppEnv } from "../../server/web/env.ts";
import { sameOriginOnly } from "../../server/web/origin.ts";

const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.header("Cache-Control", "no-store");
  await next();
};

const bodyCap = limitBody<AppEnv>(
  (c) => maxBodyBytes(c.var.config.maxLine),
  (c, max) => jsonError(c, 413, `request body too large (max ${max} bytes)`),
);

export const handler: MiddlewareHandler<AppEnv>[] = [noStore, sameOriginOnly(), bodyCap];
