/**
 * `GET /`: the chat page. The recent history and who is present (a bounded list and the total, like the
 * stream's `members` event) are in the HTML itself; the island picks up right after the newest event
 * rendered here, so nothing between render and subscribe is lost.
 */
import type { Context } from "hono";
import { eventId } from "../common/wire.ts";
import { NoScript } from "../components/NoScript.tsx";
import { SiteHeader } from "../components/SiteHeader.tsx";
import Chat from "../islands/Chat.tsx";
import type { ChatInit } from "../islands/chat/model.ts";
import { isVisibleTo } from "../server/room/events.ts";
import type { AppEnv } from "../server/web/env.ts";
import { page, type PageProps } from "../server/web/page.ts";
import { membersSnapshot, toWire } from "../server/web/wire.ts";

interface Data extends ChatInit {
  tcpHint: string;
}

export const handler = {
  async GET(c: Context<AppEnv>) {
    const { room, config } = c.var;
    const log = room.log;
    const newest = log.lastId();
    const recent = await log.recent(config.history);
    const lastId = recent.length > 0 ? recent[recent.length - 1].id : newest;
    const data: Data = {
      events: recent.filter((event) => isVisibleTo(event, undefined)).map((event) => toWire(event, log.epoch)),
      members: membersSnapshot(room.members()),
      lastEventId: eventId(log.epoch, lastId),
      tcpHint: config.tcpPort === 0 ? "nc and the TCP door's port" : `nc ${config.host} ${config.tcpPort}`,
    };
    return page(data, { headers: { "Cache-Control": "no-store" } });
  },
};

export default function Home({ data }: PageProps<Data>) {
  const { tcpHint, ...init } = data;
  return (
    <div class="app">
      <SiteHeader />
      <NoScript tcpHint={tcpHint} />
      <main class="app-main">
        <Chat {...init} />
      </main>
    </div>
  );
}
