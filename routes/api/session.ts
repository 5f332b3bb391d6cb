/**
 * `POST /api/session` `{ name }` signs in (201 and the session cookie; 200 if already signed in under
 * that name), `GET` says who the cookie belongs to, `DELETE` leaves the room.
 */
import type { Context } from "hono";
import {
  clearSessionCookie,
  currentSession,
  jsonError,
  NOT_SIGNED_IN,
  readJsonObject,
  setSessionCookie,
} from "../../server/web/api.ts";
import type { AppEnv } from "../../server/web/env.ts";

export const handler = {
  GET(c: Context<AppEnv>): Response {
    const session = currentSession(c);
    if (!session) return jsonError(c, 401, NOT_SIGNED_IN);
    return c.json({ name: session.member.name });
  },

  async POST(c: Context<AppEnv>): Promise<Response> {
    const body = await readJsonObject(c);
    if (typeof body?.name !== "string") return jsonError(c, 400, 'expected a JSON body { "name": "…" }');
    const result = c.var.web.signIn(body.name, currentSession(c));
    if ("error" in result) return jsonError(c, result.problem === "taken" ? 409 : 400, result.error);
    setSessionCookie(c, result.session);
    return c.json({ name: result.session.member.name }, result.created ? 201 : 200);
  },

  DELETE(c: Context<AppEnv>): Response {
    const session = currentSession(c);
    if (session) c.var.web.signOut(session);
    clearSessionCookie(c);
    return c.body(null, 204);
  },
};
