import type { Signal } from "@preact/signals";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { notice } from "../../common/sentences.ts";
import { clock, hue } from "./format.ts";
import type { Entry } from "./state.ts";

/** Closer than this to the bottom counts as "at the bottom": the view keeps following. */
const FOLLOW_PX = 48;

/**
 * The conversation. Follows new entries while the reader is at the bottom; when they scrolled up it
 * stays put and offers a button back down. Screen readers hear additions through the live log.
 */
export function MessageList(
  { entries, me, local }: { entries: Signal<Entry[]>; me: Signal<string | undefined>; local: boolean },
) {
  const list = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [behind, setBehind] = useState(false);
  const items = entries.value;

  useLayoutEffect(() => {
    const element = list.current;
    if (!element) return;
    if (following.current) element.scrollTop = element.scrollHeight;
    else setBehind(true);
  }, [items]);

  const onScroll = () => {
    const element = list.current!;
    following.current = element.scrollHeight - element.scrollTop - element.clientHeight < FOLLOW_PX;
    if (following.current) setBehind(false);
  };
  const toBottom = () => {
    const element = list.current!;
    element.scrollTop = element.scrollHeight;
    following.current = true;
    setBehind(false);
  };

  return (
    <div class="messages-frame">
      {items.length === 0 && <p class="messages-empty">No messages yet. Say hello!</p>}
      <div
        ref={list}
        class="messages"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label="Messages"
        tabIndex={0}
        onScroll={onScroll}
      >
        <ol>
          {items.map((entry) => <EntryItem key={entry.id} entry={entry} me={me.value} local={local} />)}
        </ol>
      </div>
      {behind && <button type="button" class="to-latest" onClick={toBottom}>New messages ↓</button>}
    </div>
  );
}

function EntryItem({ entry, me, local }: { entry: Entry; me: string | undefined; local: boolean }) {
  const time = <time dateTime={new Date(entry.at).toISOString()}>{clock(entry.at, local)}</time>;
  if (entry.kind === "notice") {
    return (
      <li class="entry notice">
        {time}
        <pre>{entry.lines.join("\n")}</pre>
      </li>
    );
  }
  if (entry.kind === "message" || entry.kind === "action") {
    const from = entry.from ?? "";
    const direction = entry.to === undefined ? "" : from === me ? `private to ${entry.to}` : "private";
    const classes = ["entry", entry.kind, from === me && "mine", direction && "private"].filter(Boolean).join(" ");
    return (
      <li class={classes}>
        {time}
        <span class={`from hue-${hue(from)}`}>{from}</span>
        <span class="text">
          {direction && <span class="private-tag">{direction}</span>}
          {entry.text}
        </span>
      </li>
    );
  }
  // Server notices: no name of their own, muted, so no member's action can pass for one.
  return (
    <li class={`entry ${entry.kind}`}>
      {time}
      <span class="text">{notice(entry)}</span>
      {entry.kind === "join" && entry.door && <span class="door">{entry.door}</span>}
    </li>
  );
}
