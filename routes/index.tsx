/**
 * `GET /`: the chat page. The recent public history and who is present (a bounded list and the total, like the
 * stream's `members` event) are in the HTML itself; the island picks up right after the newest event
 * rendered here, so nothing between render and subscribe is lost.
 */
import type { Context } from "hono";
import { NoScript } from "../components/NoScript.tsx";
import { SiteHeader } from "../components/SiteHeader.tsx";
import Chat from "../islands/Chat.tsx";
import type { ChatInit } from "../islands/chat/model.ts";
import type { AppEnv } from "../server/web/env.ts";
import { page, type PageProps } from "../framework/page.ts";
import { membersSnapshot, toWire } from "../server/web/wire.ts";

interface Data extends ChatInit {
  tcpHint: string;
}

export const handler = {
  async GET(c: Context<AppEnv>) {
    const { room, config } = c.var;
    const history = await room.history(config.history);
    const data: Data = {
      events: history.events.map(toWire),
      members: membersSnapshot(room.members()),
      lastEventId: history.position,
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
