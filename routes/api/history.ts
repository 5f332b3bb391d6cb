/**
 * `GET /api/history?before=ID&limit=N`: older history for the signed-in member, a page at a time. `ID` is an
 * event id the page already shows (its oldest); the answer is the newest `N` events before it that the member
 * may see (public ones and its own private ones, never anyone else's), oldest first, with `more` false once
 * the page reaches the start of what the store keeps. `N`: 1–200, 50 when absent. An id that is malformed,
 * of another store or run, or not issued yet is 400: the page's transcript is then stale, and its stream's
 * reset replaces it.
 */
import type { Context } from "hono";
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, type HistoryAnswer } from "../../common/api.ts";
import { currentSession, jsonError, NOT_SIGNED_IN } from "../../server/web/api.ts";
import type { AppEnv } from "../../server/web/env.ts";
import { toWire } from "../../server/web/wire.ts";

const LIMIT = /^\d{1,3}$/;

export const handler = {
  async GET(c: Context<AppEnv>): Promise<Response> {
    const session = await currentSession(c);
    if (!session) return jsonError(c, 401, NOT_SIGNED_IN);
    const before = c.req.query("before");
    if (before === undefined || before === "") return jsonError(c, 400, "expected ?before= with an event id");
    const rawLimit = c.req.query("limit");
    const limit = rawLimit === undefined ? HISTORY_DEFAULT_LIMIT : LIMIT.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= HISTORY_MAX_LIMIT)) {
      return jsonError(c, 400, `limit must be a whole number from 1 to ${HISTORY_MAX_LIMIT}`);
    }
    const page = await c.var.room.historyBefore(session.member.id, before, limit);
    if (page === null) return jsonError(c, 400, "unknown event id: not one of this room's (reload the page)");
    return c.json<HistoryAnswer>({ events: page.events.map(toWire), more: page.more, next: page.next });
  },
};
