/**
 * `POST /api/session` `{ name }` signs in (201 and the session cookie; 200 if already signed in under
 * that name), `GET` says who the cookie belongs to, `DELETE` leaves the room. A session with no stream open
 * (before its first, or in its grace period after its last) holds a place from its address among its
 * connections, so the names an address holds stay within `--max-per-address`: past it a sign-in is refused
 * with 429; past `--max-connections` names held so in all, with 503.
 */
import type { Context } from "hono";
import type { SessionAnswer, SessionRequest } from "../../common/api.ts";
import {
  clearSessionCookie,
  currentSession,
  jsonError,
  NOT_SIGNED_IN,
  readJsonObject,
  refuse,
  remoteAddress,
  setSessionCookie,
} from "../../server/web/api.ts";
import type { AppEnv } from "../../server/web/env.ts";

export const handler = {
  async GET(c: Context<AppEnv>): Promise<Response> {
    const session = await currentSession(c);
    if (!session) return jsonError(c, 401, NOT_SIGNED_IN);
    return c.json<SessionAnswer>({ name: session.member.name });
  },

  async POST(c: Context<AppEnv>): Promise<Response> {
    const body = await readJsonObject<SessionRequest>(c);
    if (typeof body?.name !== "string") return jsonError(c, 400, 'expected a JSON body { "name": "…" }');
    const result = await c.var.web.signIn(body.name, await currentSession(c), remoteAddress(c));
    if ("error" in result) {
      switch (result.problem) {
        case "invalid":
          return jsonError(c, 400, result.error);
        case "taken":
          return jsonError(c, 409, result.error);
        case "closed":
          return jsonError(c, 503, result.error);
        default:
          return refuse(c, { kind: result.problem, error: result.error });
      }
    }
    setSessionCookie(c, result.session);
    return c.json<SessionAnswer>({ name: result.session.member.name }, result.created ? 201 : 200);
  },

  async DELETE(c: Context<AppEnv>): Promise<Response> {
    const session = await currentSession(c);
    if (session) c.var.web.signOut(session);
    clearSessionCookie(c);
    return c.body(null, 204);
  },
};
