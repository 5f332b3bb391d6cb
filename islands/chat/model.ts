/**
 * The chat island's conversation with the server: the session (sign in, sign in again after a restart),
 * the stream and sending, over the state the components render. The API client (`api.ts`), the stream
 * with its retries (`stream.ts`) and the state (`state.ts`) are its parts; `fetch`, `EventSource`, the
 * name's storage and the timers can be handed in, so a test drives it all in-process.
 *
 * @example
 * ```ts
 * import { type ChatInit, createChat } from "./model.ts";
 * // In the browser, with what the page was rendered with: { events, members, lastEventId }
 * export async function open(init: ChatInit): Promise<void> {
 *   const chat = createChat(init);
 *   chat.start(); // finds the session (or signs in again with the stored name) and listens
 *   await chat.send("hello"); // true once the room took it
 * }
 * ```
 */
import { batch } from "@preact/signals";
import type { MessageAnswer } from "../../common/api.ts";
import { type Answer, createApiClient, type Fetch } from "./api.ts";
import { createAttention, type NotificationClass, type PageLike } from "./attention.ts";
import { createOlderHistory } from "./older.ts";
import { type ChatInit, createChatState } from "./state.ts";
import { createEventStream, type EventSourceClass, type Timers } from "./stream.ts";

export { type ChatInit, COMPOSER_INPUT_ID, type Entry, type Notice, type Status, STATUS_TEXT } from "./state.ts";

export const OFFLINE = "Server offline — not sent";
export const SHUTTING_DOWN = "Server shutting down — reconnecting…";
export const NAME_KEY = "chat.name";

/** Where the name is kept for the next visit. */
export type NameStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** What the chat talks through; each defaults to the page's own. */
export interface ChatIO {
  fetch?: Fetch;
  EventSource?: EventSourceClass;
  storage?: NameStorage;
  timers?: Timers;
  /** The document: its visibility and title. */
  page?: PageLike;
  /** The browser's Notification class; null: none. */
  Notification?: NotificationClass | null;
  /** Page size for older history. */
  historyPageSize?: number;
}

/** The page's localStorage, looked up only when used (a browser that forbids storage throws then). */
const pageStorage: NameStorage = {
  getItem: (key) => localStorage.getItem(key),
  setItem: (key, value) => localStorage.setItem(key, value),
  removeItem: (key) => localStorage.removeItem(key),
};

export type Chat = ReturnType<typeof createChat>;

/** The chat of one page, from what it was rendered with; nothing goes to the server before `start` or `signIn`. */
export function createChat(init: ChatInit, io: ChatIO = {}) {
  const state = createChatState(init);
  const { entries, members, status, me, error, busy, draft } = state;
  const api = createApiClient(io.fetch);
  const storage = io.storage ?? pageStorage;
  const attention = createAttention({
    me,
    page: io.page,
    Notification: io.Notification,
    storage: io.storage,
    timers: io.timers,
    focus: () => globalThis.focus?.(),
  });
  /** Why the server last refused a stream (e.g. too many connections), shown until a stream opens. */
  let refusal: string | undefined;
  /** The last text whose send got no answer, with its key, so a retry of it is recognized. */
  let unsent: { text: string; key: string } | undefined;

  const stream = createEventStream({
    lastEventId: init.lastEventId,
    EventSource: io.EventSource,
    timers: io.timers,
    handlers: {
      opened() {
        batch(() => {
          status.value = "online";
          if (refusal !== undefined && error.value === refusal) error.value = undefined;
        });
        refusal = undefined;
      },
      event(event) {
        if (state.apply(event)) attention.arrived(event);
      },
      reset(events) {
        state.reset(events);
        older.reset();
      },
      members(snapshot) {
        members.value = snapshot;
      },
      shutdown() {
        state.notice([SHUTTING_DOWN]);
      },
      lost() {
        status.value = "reconnecting";
      },
      check: explainRefusal,
      recover() {
        void recover();
      },
    },
  });

  const older = createOlderHistory(api, state, () => stream.lastEventId, io.historyPageSize);

  /** Shows why a stream was refused, like any API error. True when a stream would be let in now. */
  async function explainRefusal(): Promise<boolean> {
    let answer: Answer<undefined>;
    try {
      answer = await api.checkStream();
    } catch {
      return false; // offline: the status already says "Reconnecting…"
    }
    // 401: the session is gone; recover() signs in again.
    if (answer.ok || answer.status === 401) return answer.ok;
    refusal = answer.error ?? `cannot listen to the room (HTTP ${answer.status})`;
    error.value = refusal;
    return false;
  }

  /** Finds the session, or signs in again under the stored name; then listens. False if signed out. */
  async function recover(): Promise<boolean> {
    try {
      const session = await api.session();
      if (session.ok) {
        me.value = session.body.name;
        stream.open();
        return true;
      }
      const name = storedName();
      if (!name) {
        endSession();
        return false;
      }
      return await claim(name, true);
    } catch {
      if (status.value !== "connecting") status.value = "reconnecting";
      stream.retryLater();
      return false;
    }
  }

  async function claim(name: string, again: boolean): Promise<boolean> {
    const answer = await api.signIn(name);
    if (answer.ok) {
      batch(() => {
        me.value = answer.body.name;
        error.value = undefined;
      });
      rememberName(answer.body.name);
      stream.open();
      return true;
    }
    const reason = answer.error ?? `sign-in failed (HTTP ${answer.status})`;
    batch(() => {
      endSession();
      error.value = again ? `Could not sign in again as ${name}: ${reason}` : reason;
    });
    return false;
  }

  function endSession(): void {
    stream.close();
    batch(() => {
      me.value = undefined;
      status.value = "signed-out";
    });
  }

  /**
   * Sends one line; true when the room took it (the text may be cleared), false keeps it. A text that may
   * have gone out (the answer was lost) goes again under the same key, so the room never posts it twice.
   */
  async function send(text: string, again = true): Promise<boolean> {
    if (text.trim() === "" || busy.value) return false;
    busy.value = true;
    error.value = undefined;
    const key = unsent?.text === text ? unsent.key : newKey();
    unsent = { text, key };
    let answer: Answer<MessageAnswer>;
    try {
      answer = await api.send({ text, key });
    } catch {
      error.value = OFFLINE;
      return false;
    } finally {
      busy.value = false;
    }
    unsent = undefined;
    if (answer.ok) {
      if (answer.body.reply) state.notice(answer.body.reply);
      if (answer.body.quit) {
        rememberName(undefined);
        endSession();
      }
      return true;
    }
    if (answer.status === 401 && again) {
      // The session is gone (the server restarted): sign in again, then try once more.
      if (await recover()) return await send(text, false);
      error.value ??= "You were signed out — sign in again to send";
      return false;
    }
    const retryAfter = answer.headers.get("Retry-After");
    const reason = answer.error ?? `not sent (HTTP ${answer.status})`;
    error.value = retryAfter ? `${reason} (try again in ${retryAfter} s)` : reason;
    return false;
  }

  /** Keeps (or, with undefined, forgets) the name for the next visit; a browser that forbids storage just won't. */
  function rememberName(name: string | undefined): void {
    try {
      if (name === undefined) storage.removeItem(NAME_KEY);
      else storage.setItem(NAME_KEY, name);
    } catch {
      // storage disabled: signing in again after a restart will ask for the name
    }
  }

  function storedName(): string | undefined {
    try {
      return storage.getItem(NAME_KEY) ?? undefined;
    } catch {
      return undefined;
    }
  }

  return {
    entries,
    members,
    status,
    me,
    error,
    busy,
    draft,
    olderCount: state.olderCount,
    /** Unread count, the marker and notifications. */
    attention,
    /** Older history: `older.load()` for the page before the oldest shown. */
    older,
    /** The name to offer in the field: the one this browser used last. */
    storedName,

    start(): void {
      attention.start();
      stream.resume();
      void recover();
    },

    stop(): void {
      stream.stop();
      attention.stop();
    },

    /** Signs in under `name`; errors (taken, invalid, offline) land in `error`. */
    async signIn(name: string): Promise<boolean> {
      if (name.trim() === "" || busy.value) return false;
      busy.value = true;
      error.value = undefined;
      try {
        return await claim(name.trim(), false);
      } catch {
        error.value = "Server offline — try again in a moment";
        return false;
      } finally {
        busy.value = false;
      }
    },

    send,

    /** Leaves the room and forgets the name. */
    async signOut(): Promise<void> {
      rememberName(undefined);
      endSession();
      try {
        await api.signOut();
      } catch {
        // Offline: the server drops the session by itself once the stream is gone.
      }
    },
  };
}

/** A random send key. (`crypto.randomUUID` exists only in secure contexts; a page on plain http is not one.) */
function newKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
