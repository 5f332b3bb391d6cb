import type { Signal } from "@preact/signals";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { notice } from "../../common/sentences.ts";
import { addressedTo } from "./attention.ts";
import { clock, dayKey, dayLabel, hue } from "./format.ts";
import type { OlderHistory } from "./older.ts";
import type { Entry } from "./state.ts";
import { textParts } from "./text.ts";

/** Closer than this to the bottom counts as "at the bottom": the view keeps following. */
const FOLLOW_PX = 48;
/** Closer than this to the top loads the page before. */
const LOAD_PX = 64;

export interface MessageListProps {
  entries: Signal<Entry[]>;
  /** How many of the entries, from the oldest, were loaded back: shown outside the live region. */
  olderCount: Signal<number>;
  me: Signal<string | undefined>;
  older: OlderHistory;
  /** The id of the first message that came while the page was hidden. */
  markerId: Signal<string | undefined>;
  local: boolean;
}

/**
 * The conversation. Follows new entries while the reader is at the bottom; when they scrolled up it
 * stays put and offers a button back down. At the top, a signed-in reader gets older messages (a button,
 * or scrolling there), with the entry they were reading kept in place. Screen readers hear new entries
 * through the live log, not those loaded back (they go in a part of it that is not live).
 */
export function MessageList({ entries, olderCount, me, older, markerId, local }: MessageListProps) {
  const list = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  /** The entry at the top before older ones were put above it, and how far below the top of the view it was. */
  const anchor = useRef<{ id: string; offset: number } | undefined>(undefined);
  const [behind, setBehind] = useState(false);
  const items = entries.value;
  const split = Math.min(olderCount.value, items.length);
  const signedIn = me.value !== undefined;

  const shownOlder = useRef(split);

  useLayoutEffect(() => {
    const element = list.current;
    if (!element) return;
    const grew = split > shownOlder.current;
    shownOlder.current = split;
    if (grew && anchor.current) {
      // Older entries went in above: the entry the reader saw at the top stays where it was.
      const kept = element.querySelector<HTMLElement>(`[data-id="${CSS.escape(anchor.current.id)}"]`);
      if (kept) element.scrollTop = kept.offsetTop - anchor.current.offset;
      anchor.current = undefined;
      following.current = atBottom(element);
      return;
    }
    if (following.current) element.scrollTop = element.scrollHeight;
    else setBehind(true);
  }, [items, split]);

  const loadOlder = () => {
    const element = list.current;
    if (!element || !signedIn || older.loading.value || older.atStart.value) return;
    const first = element.querySelector<HTMLElement>("[data-id]");
    if (first) anchor.current = { id: first.dataset.id!, offset: first.offsetTop - element.scrollTop };
    void older.load().then((added) => {
      if (added === 0) anchor.current = undefined;
    });
  };
  const onScroll = () => {
    const element = list.current!;
    following.current = atBottom(element);
    if (following.current) setBehind(false);
    if (element.scrollTop < LOAD_PX && element.scrollHeight > element.clientHeight) loadOlder();
  };
  const toBottom = () => {
    const element = list.current!;
    element.scrollTop = element.scrollHeight;
    following.current = true;
    setBehind(false);
  };

  const render = (from: number, to: number) => {
    const rows = [];
    for (let i = from; i < to; i++) {
      const entry = items[i];
      if (i === 0 || dayKey(items[i - 1].at, local) !== dayKey(entry.at, local)) {
        rows.push(
          <li key={`day-${entry.id}`} class="day-separator" role="separator">
            <span>{dayLabel(entry.at, local)}</span>
          </li>,
        );
      }
      if (entry.id === markerId.value) {
        rows.push(
          <li key="unread-marker" class="unread-marker" role="separator">
            <span>New messages</span>
          </li>,
        );
      }
      rows.push(<EntryItem key={entry.id} entry={entry} me={me.value} local={local} />);
    }
    return rows;
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
        {signedIn && (
          <div class="older-bar" aria-live="off">
            {older.atStart.value
              ? <p class="history-start">Start of the history kept</p>
              : (
                <button type="button" class="quiet" onClick={loadOlder} disabled={older.loading.value}>
                  {older.loading.value ? "Loading older messages…" : "Show older messages"}
                </button>
              )}
            {older.failed.value && <p class="older-error" role="alert">{older.failed.value}</p>}
          </div>
        )}
        <ol class="older-entries" aria-live="off">{render(0, split)}</ol>
        <ol class="live-entries">{render(split, items.length)}</ol>
      </div>
      {behind && <button type="button" class="to-latest" onClick={toBottom}>New messages ↓</button>}
    </div>
  );
}

function atBottom(element: HTMLElement): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < FOLLOW_PX;
}

function EntryItem({ entry, me, local }: { entry: Entry; me: string | undefined; local: boolean }) {
  const time = <time dateTime={new Date(entry.at).toISOString()}>{clock(entry.at, local)}</time>;
  if (entry.kind === "notice") {
    return (
      <li class="entry notice" data-id={entry.id}>
        {time}
        <pre>{entry.lines.join("\n")}</pre>
      </li>
    );
  }
  if (entry.kind === "message" || entry.kind === "action") {
    const from = entry.from ?? "";
    const direction = entry.to === undefined ? "" : from === me ? `private to ${entry.to}` : "private";
    const classes = [
      "entry",
      entry.kind,
      from === me && "mine",
      direction && "private",
      addressedTo(entry, me) && "mention",
    ].filter(Boolean).join(" ");
    return (
      <li class={classes} data-id={entry.id}>
        {time}
        <span class={`from hue-${hue(from)}`}>{from}</span>
        <span class="text">
          {direction && <span class="private-tag">{direction}</span>}
          <MessageText text={entry.text ?? ""} me={me} />
        </span>
      </li>
    );
  }
  // Server notices: no name of their own, muted, so no member's action can pass for one.
  return (
    <li class={`entry ${entry.kind}`} data-id={entry.id}>
      {time}
      <span class="text">{notice(entry)}</span>
      {entry.kind === "join" && entry.door && <span class="door">{entry.door}</span>}
    </li>
  );
}

/** A message's text: links as links, my name marked, the rest as text (never HTML). */
function MessageText({ text, me }: { text: string; me: string | undefined }) {
  return (
    <>
      {textParts(text, me).map((part, i) =>
        part.type === "link"
          ? (
            <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
              {part.text}
            </a>
          )
          : part.type === "mention"
          ? <mark key={i} class="mention-name">{part.text}</mark>
          : part.text
      )}
    </>
  );
}
