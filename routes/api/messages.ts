/**
 * `POST /api/messages` `{ text, key? }`: one line from the signed-in member, exactly as a TCP user would
 * type it. The room cleans it, runs commands and applies the flood limit; this maps its outcome to HTTP.
 * `key` (the client's own id for this send, 1–64 of `A-Z a-z 0-9 _ -`) makes a retry safe: the same key
 * within two minutes (among the member's last 100 sends) gets the first answer and posts nothing again.
 * Only a send the room took is remembered: a refused one (429 and the like) is judged afresh when retried.
 */
import type { Context } from "hono";
import type { MessageAnswer, MessageRequest } from "../../common/api.ts";
import { clearSessionCookie, currentSession, jsonError, NOT_SIGNED_IN, readJsonObject } from "../../server/web/api.ts";
import type { AppEnv } from "../../server/web/env.ts";
import type { Outcome } from "../../server/room/room.ts";

const SEND_KEY = /^[A-Za-z0-9_-]{1,64}$/;

export const handler = {
  async POST(c: Context<AppEnv>): Promise<Response> {
    const session = await currentSession(c);
    if (!session) return jsonError(c, 401, NOT_SIGNED_IN);
    const body = await readJsonObject<MessageRequest>(c);
    const text = body?.text;
    if (typeof text !== "string" || text === "") {
      return jsonError(c, 400, 'expected a JSON body { "text": "…" } with a non-empty text');
    }
    const key = body?.key;
    if (key !== undefined && (typeof key !== "string" || !SEND_KEY.test(key))) {
      return jsonError(c, 400, "key must be 1–64 characters of A-Z a-z 0-9 _ -");
    }
    const outcome = await c.var.web.say(session, text, key);
    switch (outcome.type) {
      case "sent":
        return c.json<MessageAnswer>({}, 202);
      case "reply":
        return c.json<MessageAnswer>({ reply: outcome.lines }, 202);
      case "quit":
        clearSessionCookie(c);
        return c.json<MessageAnswer>({ quit: true }, 202);
      case "ignored":
        return jsonError(c, 400, "nothing left to send once control characters were removed");
      case "error":
        return refusal(c, outcome);
      case "busy":
        return tryLater(c, "the server is busy, not sent: try again", outcome.retryAfterMs);
    }
  },
};

function refusal(c: Context<AppEnv>, outcome: Extract<Outcome, { type: "error" }>): Response {
  switch (outcome.code) {
    case "too_long":
      return jsonError(c, 413, outcome.message);
    case "flood":
      return tryLater(c, outcome.message, outcome.retryAfterMs ?? 1000);
    case "not_present":
      // Signed in, but no stream is open yet: the page opens /api/events first.
      return jsonError(c, 409, outcome.message);
    case "unknown_command":
      return jsonError(c, 400, outcome.message);
    case "no_such_member":
      return jsonError(c, 404, outcome.message);
    case "unavailable":
      return jsonError(c, 503, outcome.message);
  }
}

/** 429 with `Retry-After` in whole seconds (at least one). */
function tryLater(c: Context<AppEnv>, message: string, retryAfterMs: number): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return jsonError(c, 429, message, { "Retry-After": String(seconds) });
}
