/**
 * The chat island: the room's conversation, who is online, the connection state and the one field
 * to sign in and then talk. Server-rendered with the recent history, then live over SSE; older history on
 * request, unread counts in the title, and notifications when the reader turns them on.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import { Composer } from "./chat/Composer.tsx";
import { MemberList } from "./chat/MemberList.tsx";
import { MessageList } from "./chat/MessageList.tsx";
import { type ChatInit, createChat } from "./chat/model.ts";
import { NotifyButton } from "./chat/NotifyButton.tsx";
import { StatusBadge } from "./chat/StatusBadge.tsx";

export default function Chat(props: ChatInit) {
  const chat = useMemo(() => createChat(props), []);
  // False in the server's HTML and the first browser render (so hydration matches), true after.
  const ready = useSignal(false);
  useEffect(() => {
    ready.value = true;
    chat.start();
    return () => chat.stop();
  }, []);
  const me = chat.me.value;

  return (
    <div class="chat">
      <div class="chat-toolbar">
        <StatusBadge status={chat.status} />
        {me !== undefined && (
          <p class="whoami">
            <span>
              Signed in as <b>{me}</b>
            </span>
            <button type="button" class="quiet" onClick={() => chat.signOut()}>Leave</button>
            <NotifyButton attention={chat.attention} />
          </p>
        )}
      </div>
      <div class="chat-main">
        <section class="conversation" aria-label="Conversation">
          <MessageList
            entries={chat.entries}
            olderCount={chat.olderCount}
            me={chat.me}
            older={chat.older}
            markerId={chat.attention.markerId}
            local={ready.value}
          />
          <Composer chat={chat} ready={ready} />
        </section>
        <MemberList members={chat.members} me={chat.me} draft={chat.draft} />
      </div>
    </div>
  );
}
