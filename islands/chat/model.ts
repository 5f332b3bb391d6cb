/**
 * The chat island's state and its conversation with the server: session (sign in, sign in again
 * after a restart), the SSE stream (replay, reset, members, live events) and sending. Plain signals,
 * no DOM: the components render them.
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
import { batch, signal } from "@preact/signals";
import { SSE_MEMBERS, SSE_RESET, SSE_SHUTDOWN, type WireEvent, type WireMembers } from "../../common/wire.ts";
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

export interface ChatInit {
  events: WireEvent[];
  /** Who was present when the page was rendered: a bounded list and the total (see {@link WireMembers}). */
  members: WireMembers;
  /** The newest event id when the page was rendered: the first stream resumes right after it. */
  lastEventId: string;
}

export const OFFLINE = "Server offline — not sent";
export const SHUTTING_DOWN = "Server shutting down — reconnecting…";
export const NAME_KEY = "chat.name";
/** The composer's field, which the online list focuses to start a private message. */
export const COMPOSER_INPUT_ID = "composer-input";
/** How many entries the page keeps; older ones scroll away for good. */
const KEEP = 500;
const RETRY_MS = [1000, 2000, 4000, 5000];

export type Chat = ReturnType<typeof createChat>;

export function createChat(init: ChatInit) {
  const kept = new EntryWindow<Entry>(KEEP, init.events);
  const entries = signal<Entry[]>(kept.entries);
  const members = signal<WireMembers>(init.members);
  const status = signal<Status>("connecting");
  const me = signal<string | undefined>(undefined);
  const error = signal<string | undefined>(undefined);
  const busy = signal(false);
  /** What is in the composer's field. */
  const draft = signal("");
  /** Why the server last refused a stream (e.g. too many connections), shown until a stream opens. */
  let refusal: string | undefined;
  let lastId = init.lastEventId;
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;
  let notices = 0;
  let stopped = false;
  /** The last text whose send got no answer, with its key, so a retry of it is recognized. */
  let unsent: { text: string; key: string } | undefined;

  function apply(event: WireEvent): void {
    lastId = event.id;
    if (!kept.add(event)) return;
    batch(() => {
      entries.value = kept.entries;
      if (event.kind === "join" && event.from && event.door) {
        members.value = joined(members.value, { name: event.from, door: event.door });
      } else if (event.kind === "leave" && event.from) {
        members.value = left(members.value, event.from);
      }
    });
  }

  function reset(events: WireEvent[]): void {
    if (events.length > 0) lastId = events[events.length - 1].id;
    kept.replace(events);
    entries.value = kept.entries;
  }

  function listen(): void {
    source?.close();
    const es = new EventSource(`/api/events?lastEventId=${encodeURIComponent(lastId)}`);
    source = es;
    es.onopen = () => {
      attempts = 0;
      batch(() => {
        status.value = "online";
        if (refusal !== undefined && error.value === refusal) error.value = undefined;
      });
      refusal = undefined;
    };
    es.onmessage = (message) => apply(JSON.parse(message.data));
    es.addEventListener(SSE_RESET, (message) => reset(JSON.parse((message as MessageEvent).data).events));
    es.addEventListener(SSE_MEMBERS, (message) => members.value = JSON.parse((message as MessageEvent).data));
    // The stream ends right after this; the browser reconnects by itself once the server is back.
    es.addEventListener(SSE_SHUTDOWN, () => addNotice([SHUTTING_DOWN]));
    es.onerror = () => {
      if (es !== source) return;
      status.value = "reconnecting";
      // CONNECTING: the browser retries by itself. CLOSED: the server answered with an error (401 after a
      // restart, 429/503 over the connection limits).
      if (es.readyState === EventSource.CLOSED) {
        source = undefined;
        // Let in by the check, it tries again at once, but only once: the check's answer is for one more
        // connection, which the stream's may not get (the server counts every connection).
        void explainRefusal().then((admitted) => {
          if (admitted && attempts++ === 0) void recover();
          else recoverLater();
        });
      }
    };
  }

  /**
   * EventSource does not say why a stream was refused, so ask the server (without opening a stream) and
   * show the reason like any API error. True when a stream would be let in now.
   */
  async function explainRefusal(): Promise<boolean> {
    let response: ApiResponse;
    try {
      response = await request("GET", "/api/events?check");
    } catch {
      return false; // offline: the status already says "Reconnecting…"
    }
    // 401: the session is gone; recover() signs in again.
    if (response.status === 204 || response.status === 401) return response.status === 204;
    refusal = response.body?.error ?? `cannot listen to the room (HTTP ${response.status})`;
    error.value = refusal;
    return false;
  }

  function recoverLater(): void {
    clearTimeout(retry);
    if (stopped) return;
    retry = setTimeout(recover, RETRY_MS[Math.min(attempts++, RETRY_MS.length - 1)]);
  }

  /** Finds the session, or signs in again under the stored name; then listens. False if signed out. */
  async function recover(): Promise<boolean> {
    try {
      const session = await request("GET", "/api/session");
      if (session.status === 200) {
        me.value = session.body.name;
        listen();
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
      recoverLater();
      return false;
    }
  }

  async function claim(name: string, again: boolean): Promise<boolean> {
    const response = await request("POST", "/api/session", { name });
    if (response.status === 200 || response.status === 201) {
      batch(() => {
        me.value = response.body.name;
        error.value = undefined;
      });
      rememberName(response.body.name);
      listen();
      return true;
    }
    const reason = response.body?.error ?? `sign-in failed (HTTP ${response.status})`;
    batch(() => {
      endSession();
      error.value = again ? `Could not sign in again as ${name}: ${reason}` : reason;
    });
    return false;
  }

  function endSession(): void {
    source?.close();
    source = undefined;
    clearTimeout(retry);
    batch(() => {
      me.value = undefined;
      status.value = "signed-out";
    });
  }

  function addNotice(lines: string[]): void {
    const notice: Notice = { id: `notice-${++notices}`, kind: "notice", at: Date.now(), lines };
    kept.add(notice);
    entries.value = kept.entries;
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
    let response: ApiResponse;
    try {
      response = await request("POST", "/api/messages", { text, key });
    } catch {
      error.value = OFFLINE;
      return false;
    } finally {
      busy.value = false;
    }
    unsent = undefined;
    if (response.status === 202) {
      if (response.body.reply) addNotice(response.body.reply);
      if (response.body.quit) {
        rememberName(undefined);
        endSession();
      }
      return true;
    }
    if (response.status === 401 && again) {
      // The session is gone (the server restarted): sign in again, then try once more.
      if (await recover()) return await send(text, false);
      error.value ??= "You were signed out — sign in again to send";
      return false;
    }
    const retryAfter = response.headers.get("Retry-After");
    const reason = response.body?.error ?? `not sent (HTTP ${response.status})`;
    error.value = retryAfter ? `${reason} (try again in ${retryAfter} s)` : reason;
    return false;
  }

  return {
    entries,
    members,
    status,
    me,
    error,
    busy,
    draft,
    /** The name to offer in the field: the one this browser used last. */
    storedName,

    start(): void {
      stopped = false;
      void recover();
    },

    stop(): void {
      stopped = true;
      source?.close();
      clearTimeout(retry);
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
        await request("DELETE", "/api/session");
      } catch {
        // Offline: the server drops the session by itself once the stream is gone.
      }
    },
  };
}

/** Keeps (or, with undefined, forgets) the name for the next visit; a browser that forbids storage just won't. */
function rememberName(name: string | undefined): void {
  try {
    if (name === undefined) localStorage.removeItem(NAME_KEY);
    else localStorage.setItem(NAME_KEY, name);
  } catch {
    // storage disabled: signing in again after a restart will ask for the name
  }
}

function storedName(): string | undefined {
  try {
    return localStorage.getItem(NAME_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

interface ApiResponse {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** One JSON API call; rejects only when the server cannot be reached. */
async function request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** A random send key. (`crypto.randomUUID` exists only in secure contexts; a page on plain http is not one.) */
function newKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
