/**
 * What tells a reader in another tab that something happened: while the page is hidden, messages from others
 * are counted in its title (`(3) Chatroom`) and a marker goes before the first of them; once the page is seen
 * the title is itself again at once and the marker goes a few seconds later (long enough to be seen).
 * Notifications are opt-in: {@link Attention.toggleNotifications} (a button) asks the browser's permission,
 * never the page on load; the choice is kept in localStorage. Only a mention of the reader or a private
 * message to them raises one, and only while the page is hidden.
 *
 * The document, the Notification class, the storage and the timers are handed in, so a test drives it all.
 *
 * @example
 * ```ts
 * import { signal } from "@preact/signals";
 * import { createAttention } from "./attention.ts";
 * const attention = createAttention({ me: signal("Ana") });
 * export function follow(): () => void {
 *   attention.start(); // listens to visibilitychange; counts what `arrived` gets while hidden
 *   return () => attention.stop();
 * }
 * ```
 */
import { batch, type Signal, signal } from "@preact/signals";
import type { WireEvent } from "../../common/wire.ts";
import type { Timers } from "./stream.ts";
import { mentions } from "./text.ts";

/** What the attention uses of the document. */
export interface PageLike {
  readonly visibilityState: string;
  title: string;
  addEventListener(type: "visibilitychange", listener: () => void): void;
  removeEventListener(type: "visibilitychange", listener: () => void): void;
}

/** What it uses of the browser's Notification class. */
export interface NotificationClass {
  readonly permission: string;
  requestPermission(): Promise<string>;
  new (title: string, options?: { body?: string; tag?: string }): { onclick: ((event: Event) => void) | null };
}

export type NotifyState = "unsupported" | "off" | "on" | "denied";

/** Where the choice is kept: `on` or `off`. */
export const NOTIFY_KEY = "chat.notifications";
/** How long the marker stays once the page is seen again. */
export const MARKER_LINGER_MS = 4000;
const MAX_BODY = 200;

export interface AttentionIO {
  me: Signal<string | undefined>;
  page?: PageLike;
  /** null: the browser has none. */
  Notification?: NotificationClass | null;
  storage?: Pick<Storage, "getItem" | "setItem">;
  timers?: Timers;
  /** Brings the page to the front (a click on a notification). */
  focus?: () => void;
}

export interface Attention {
  /** Messages from others that came while the page was hidden. */
  unread: Signal<number>;
  /** The id of the first of them: the marker goes before it. */
  markerId: Signal<string | undefined>;
  notify: Signal<NotifyState>;
  /** A new event the page shows (not one loaded back from history). */
  arrived(event: WireEvent): void;
  /** Turns notifications off, or on (asking the browser's permission the first time). */
  toggleNotifications(): Promise<void>;
  start(): void;
  stop(): void;
}

/** Whether `event` is for `me` in particular: a private message to me, or a message naming me. */
export function addressedTo(event: WireEvent, me: string | undefined): "private" | "mention" | undefined {
  if (me === undefined || (event.kind !== "message" && event.kind !== "action") || event.from === me) {
    return undefined;
  }
  if (event.to !== undefined) return "private";
  return mentions(event.text ?? "", me) ? "mention" : undefined;
}

export function createAttention(io: AttentionIO): Attention {
  const unread = signal(0);
  const markerId = signal<string | undefined>(undefined);
  const notify = signal<NotifyState>("unsupported");
  let page: PageLike | undefined;
  let Notification: NotificationClass | null = null;
  let baseTitle = "";
  let linger: unknown;
  const timers: Timers = io.timers ?? {
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
  };

  const hidden = () => page?.visibilityState === "hidden";

  function showCount(): void {
    if (page) page.title = unread.value > 0 ? `(${unread.value}) ${baseTitle}` : baseTitle;
  }

  function onVisibility(): void {
    timers.clearTimeout(linger);
    if (hidden()) {
      // A marker still shown from the last time would mark the wrong place now.
      markerId.value = undefined;
      return;
    }
    unread.value = 0;
    showCount();
    if (markerId.value !== undefined) linger = timers.setTimeout(() => markerId.value = undefined, MARKER_LINGER_MS);
  }

  function stored(): string | null {
    try {
      return (io.storage ?? localStorage).getItem(NOTIFY_KEY);
    } catch {
      return null;
    }
  }

  function store(value: "on" | "off"): void {
    try {
      (io.storage ?? localStorage).setItem(NOTIFY_KEY, value);
    } catch {
      // storage forbidden: the choice lasts as long as the page
    }
  }

  function raise(event: WireEvent, why: "private" | "mention"): void {
    if (notify.value !== "on" || !Notification || Notification.permission !== "granted") return;
    const title = why === "private" ? `${event.from} (private)` : `${event.from} mentioned you`;
    const text = event.text ?? "";
    try {
      const shown = new Notification(title, {
        body: text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…` : text,
        tag: event.id,
      });
      shown.onclick = () => io.focus?.();
    } catch {
      // Some browsers (Chrome on Android) allow notifications only from a service worker.
    }
  }

  return {
    unread,
    markerId,
    notify,

    arrived(event) {
      if (!hidden()) return;
      const me = io.me.value;
      if ((event.kind !== "message" && event.kind !== "action") || event.from === me) return;
      batch(() => {
        if (unread.value === 0) markerId.value = event.id;
        unread.value++;
      });
      showCount();
      const why = addressedTo(event, me);
      if (why) raise(event, why);
    },

    async toggleNotifications() {
      if (!Notification) return;
      if (notify.value === "on") {
        notify.value = "off";
        store("off");
        return;
      }
      let permission = Notification.permission;
      if (permission === "default") {
        try {
          permission = await Notification.requestPermission();
        } catch {
          permission = "denied";
        }
      }
      if (permission === "granted") {
        notify.value = "on";
        store("on");
      } else {
        notify.value = permission === "denied" ? "denied" : "off";
      }
    },

    start() {
      page = io.page ?? globalThis.document;
      Notification = io.Notification !== undefined
        ? io.Notification
        : (globalThis as { Notification?: NotificationClass }).Notification ?? null;
      baseTitle = page?.title.replace(/^\(\d+\) /, "") ?? "";
      if (!Notification) notify.value = "unsupported";
      else if (Notification.permission === "denied") notify.value = "denied";
      else notify.value = Notification.permission === "granted" && stored() === "on" ? "on" : "off";
      page?.addEventListener("visibilitychange", onVisibility);
    },

    stop() {
      page?.removeEventListener("visibilitychange", onVisibility);
      timers.clearTimeout(linger);
    },
  };
}
