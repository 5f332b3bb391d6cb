/**
 * The chat island's event stream: one EventSource at a time on `/api/events`, each opened right after the
 * last event seen, and what happens when one fails. While the browser retries a stream by itself, nothing;
 * when the server refused it (EventSource then gives up), the page asks why, and finds its session again at
 * once (only once in a row) or after a growing delay. The EventSource class and the timers are handed in.
 *
 * @example
 * ```ts
 * import { createEventStream, type StreamHandlers } from "./stream.ts";
 * export function follow(lastEventId: string, handlers: StreamHandlers): () => void {
 *   const stream = createEventStream({ lastEventId, handlers });
 *   stream.open(); // /api/events?lastEventId=…; handlers.recover() calls open() again once signed in
 *   return () => stream.stop();
 * }
 * ```
 */
import { EVENTS_PATH } from "../../common/api.ts";
import {
  SSE_MEMBERS,
  SSE_RESET,
  SSE_SHUTDOWN,
  type WireEvent,
  type WireMembers,
  type WireReset,
} from "../../common/wire.ts";

/** What the stream uses of an EventSource. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceClass = new (url: string) => EventSourceLike;

/** `EventSource.CLOSED`: the browser gave the stream up (the server answered with an error). */
const CLOSED = 2;

/** Timers as the stream uses them; a handle is whatever `setTimeout` returned. */
export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The waits before finding the session again after a refused stream: growing, then the last one each time. */
export const RETRY_MS = [1000, 2000, 4000, 5000];

/** What the stream hands on, and asks of the session. */
export interface StreamHandlers {
  opened(): void;
  event(event: WireEvent): void;
  /** The server could not replay from where the page was: these are the transcript now. */
  reset(events: WireEvent[]): void;
  members(members: WireMembers): void;
  /** The server is going away; the stream ends right after, and is retried like any other. */
  shutdown(): void;
  /** The stream failed: the browser retries it, or the stream asks `check` and `recover`. */
  lost(): void;
  /** Why a stream was refused (EventSource never says): true when one would be let in now. */
  check(): Promise<boolean>;
  /** Finds the session (signing in again if need be) and calls `open`, or `retryLater` when offline. */
  recover(): void;
}

export interface StreamOptions {
  /** The newest event the page already has: the first stream starts right after it. */
  lastEventId: string;
  handlers: StreamHandlers;
  EventSource?: EventSourceClass;
  timers?: Timers;
}

export interface EventStream {
  /** Opens a stream from the last event seen, closing the one before. */
  open(): void;
  /** Closes the stream and cancels a pending retry. */
  close(): void;
  /** Calls `recover` after the next delay of {@link RETRY_MS}, unless stopped. */
  retryLater(): void;
  /** Closes the stream; no retry is scheduled until `resume`. */
  stop(): void;
  resume(): void;
  /** Where the next stream starts: the id of the last event received. */
  readonly lastEventId: string;
}

const realTimers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
};

/**
 * The stream of one page. Nothing is opened until `open`.
 *
 * @example
 * ```ts
 * import { createEventStream, type EventSourceClass, type StreamHandlers } from "./stream.ts";
 * // In a test, with a fake EventSource class:
 * export function fakeStream(FakeSource: EventSourceClass, handlers: StreamHandlers) {
 *   return createEventStream({ lastEventId: "e-7", handlers, EventSource: FakeSource });
 * }
 * ```
 */
export function createEventStream(options: StreamOptions): EventStream {
  const { handlers, timers = realTimers } = options;
  let lastId = options.lastEventId;
  let source: EventSourceLike | undefined;
  let retry: unknown;
  let attempts = 0;
  let stopped = false;

  function open(): void {
    source?.close();
    const Source = options.EventSource ?? globalThis.EventSource;
    const es = new Source(`${EVENTS_PATH}?lastEventId=${encodeURIComponent(lastId)}`);
    source = es;
    es.onopen = () => {
      attempts = 0;
      handlers.opened();
    };
    es.onmessage = (message) => {
      const event: WireEvent = JSON.parse(message.data);
      lastId = event.id;
      handlers.event(event);
    };
    es.addEventListener(SSE_RESET, (message) => {
      const { events }: WireReset = JSON.parse(message.data);
      if (events.length > 0) lastId = events[events.length - 1].id;
      handlers.reset(events);
    });
    es.addEventListener(SSE_MEMBERS, (message) => {
      const members: WireMembers = JSON.parse(message.data);
      handlers.members(members);
    });
    es.addEventListener(SSE_SHUTDOWN, () => handlers.shutdown());
    es.onerror = () => {
      if (es !== source) return;
      handlers.lost();
      // Still CONNECTING: the browser retries by itself. CLOSED: the server answered with an error (401
      // after a restart, 429/503 over the connection limits).
      if (es.readyState !== CLOSED) return;
      source = undefined;
      // Let in by the check, it tries again at once, but only once: the check's answer is for one more
      // connection, which the stream's may not get (the server counts every connection).
      void handlers.check().then((admitted) => {
        if (admitted && attempts++ === 0) handlers.recover();
        else retryLater();
      });
    };
  }

  function close(): void {
    source?.close();
    source = undefined;
    timers.clearTimeout(retry);
  }

  function retryLater(): void {
    timers.clearTimeout(retry);
    if (stopped) return;
    retry = timers.setTimeout(() => handlers.recover(), RETRY_MS[Math.min(attempts++, RETRY_MS.length - 1)]);
  }

  return {
    open,
    close,
    retryLater,
    stop() {
      stopped = true;
      close();
    },
    resume() {
      stopped = false;
    },
    get lastEventId() {
      return lastId;
    },
  };
}
