/**
 * What the chat island's components render: plain signals (the entries kept, who is online, the connection
 * state, who I am, the last error, the draft) and the few changes the stream and the session make to them.
 * No DOM and no network.
 *
 * @example
 * ```ts
 * import { createChatState } from "./state.ts";
 * const state = createChatState({ events: [], members: { members: [], total: 0 }, lastEventId: "" });
 * state.notice(["Server shutting down — reconnecting…"]); // one more entry, shown to this page only
 * state.status.value = "online";
 * ```
 */
import { batch, type Signal, signal } from "@preact/signals";
import type { WireEvent, WireMembers } from "../../common/wire.ts";
import { EntryWindow } from "./entries.ts";
import { joined, left } from "./roster.ts";

export type Status = "connecting" | "online" | "reconnecting" | "signed-out";

export const STATUS_TEXT: Record<Status, string> = {
  "connecting": "Connecting…",
  "online": "Online",
  "reconnecting": "Reconnecting…",
  "signed-out": "Not signed in",
};

/** A line only this page sees: a reply to `/help` or `/who`, or news of the connection. */
export interface Notice {
  id: string;
  kind: "notice";
  at: number;
  lines: string[];
}

export type Entry = WireEvent | Notice;

/** What the page was rendered with. */
export interface ChatInit {
  events: WireEvent[];
  /** Who was present when the page was rendered: a bounded list and the total (see {@link WireMembers}). */
  members: WireMembers;
  /** The newest event id when the page was rendered: the first stream resumes right after it. */
  lastEventId: string;
}

/** The composer's field, which the online list focuses to start a private message. */
export const COMPOSER_INPUT_ID = "composer-input";
/**
 * How many entries the page keeps as they arrive; older ones scroll away (the reader can load them again
 * from `/api/history`). What the reader loads back is kept besides.
 */
const KEEP = 500;

export interface ChatState {
  entries: Signal<Entry[]>;
  members: Signal<WireMembers>;
  status: Signal<Status>;
  /** The name signed in under, if any. */
  me: Signal<string | undefined>;
  /** Why the last sign-in, send or stream failed, until it is cleared. */
  error: Signal<string | undefined>;
  /** A sign-in or a send is on its way. */
  busy: Signal<boolean>;
  /** What is in the composer's field. */
  draft: Signal<string>;
  /**
   * How many of the entries, from the oldest, were loaded back from history rather than received: the page
   * shows them outside its live region, so they are not announced.
   */
  olderCount: Signal<number>;
  /** A room event, shown once however often it comes; a join or leave updates who is online. True if new. */
  apply(event: WireEvent): boolean;
  /** Older events loaded back (oldest first), before every entry kept; returns how many were new. */
  prepend(events: WireEvent[]): number;
  /** The transcript is these events now (the newest kept). */
  reset(events: WireEvent[]): void;
  /** Adds a notice for this page only. */
  notice(lines: string[]): void;
}

/** The state of one page, starting from what it was rendered with. */
export function createChatState(init: ChatInit): ChatState {
  const kept = new EntryWindow<Entry>(KEEP, init.events);
  const entries = signal<Entry[]>(kept.entries);
  const members = signal<WireMembers>(init.members);
  const olderCount = signal(0);
  let notices = 0;

  /** Adds an entry; what scrolled away to make room was loaded back ones first. */
  function add(entry: Entry): boolean {
    const before = kept.entries.length;
    if (!kept.add(entry)) return false;
    const dropped = before + 1 - kept.entries.length;
    batch(() => {
      entries.value = kept.entries;
      if (dropped > 0 && olderCount.value > 0) olderCount.value = Math.max(0, olderCount.value - dropped);
    });
    return true;
  }

  return {
    entries,
    members,
    status: signal<Status>("connecting"),
    me: signal<string | undefined>(undefined),
    error: signal<string | undefined>(undefined),
    busy: signal(false),
    draft: signal(""),
    olderCount,

    apply(event) {
      return batch(() => {
        if (!add(event)) return false;
        if (event.kind === "join" && event.from && event.door) {
          members.value = joined(members.value, { name: event.from, door: event.door });
        } else if (event.kind === "leave" && event.from) {
          members.value = left(members.value, event.from);
        }
        return true;
      });
    },

    prepend(events) {
      const added = kept.prepend(events);
      if (added > 0) {
        batch(() => {
          entries.value = kept.entries;
          olderCount.value += added;
        });
      }
      return added;
    },

    reset(events) {
      kept.replace(events);
      batch(() => {
        entries.value = kept.entries;
        olderCount.value = 0;
      });
    },

    notice(lines) {
      add({ id: `notice-${++notices}`, kind: "notice", at: Date.now(), lines });
    },
  };
}
