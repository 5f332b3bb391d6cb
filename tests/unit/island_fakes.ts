/**
 * What the chat island talks through, faked for in-process tests: a scripted API behind `fetch`, an
 * EventSource class the test opens, feeds and fails, timers fired by hand and a storage in memory.
 */
import type { WireEvent } from "../../common/wire.ts";
import type { Fetch } from "../../islands/chat/api.ts";
import type { ChatInit, NameStorage } from "../../islands/chat/model.ts";
import type { EventSourceClass, EventSourceLike, Timers } from "../../islands/chat/stream.ts";

export interface Call {
  method: string;
  path: string;
  /** The request's JSON body, parsed. */
  body: unknown;
  init: RequestInit;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | "offline";

/** The web API as the test scripts it: each `METHOD path` answers the same until told otherwise. */
export class FakeApi {
  readonly calls: Call[] = [];
  #replies = new Map<string, Reply>();
  #once = new Map<string, Reply[]>();

  answer(method: string, path: string, status: number, body?: unknown, headers?: Record<string, string>): this {
    this.#replies.set(`${method} ${path}`, { status, body, headers });
    return this;
  }

  /** Answers the next call to `METHOD path` so, before the answer set with `answer` (queued in order). */
  answerOnce(method: string, path: string, status: number, body?: unknown, headers?: Record<string, string>): this {
    const key = `${method} ${path}`;
    this.#once.set(key, [...this.#once.get(key) ?? [], { status, body, headers }]);
    return this;
  }

  /** The server cannot be reached for this call: `fetch` rejects, as a browser's does. */
  offline(method: string, path: string): this {
    this.#replies.set(`${method} ${path}`, "offline");
    return this;
  }

  /** The calls made to `METHOD path`, oldest first. */
  to(method: string, path: string): Call[] {
    return this.calls.filter((call) => call.method === method && call.path === path);
  }

  readonly fetch: Fetch = (path, init) => {
    const method = init.method ?? "GET";
    this.calls.push({ method, path, init, body: typeof init.body === "string" ? JSON.parse(init.body) : undefined });
    const reply = this.#once.get(`${method} ${path}`)?.shift() ?? this.#replies.get(`${method} ${path}`);
    if (reply === undefined) {
      // Thrown outside the island's own catch (which would take it for "offline"), so the test fails.
      queueMicrotask(() => {
        throw new Error(`unscripted call: ${method} ${path}`);
      });
      return Promise.reject(new TypeError("unscripted"));
    }
    if (reply === "offline") return Promise.reject(new TypeError("Failed to fetch"));
    const text = reply.body === undefined
      ? null
      : typeof reply.body === "string"
      ? reply.body
      : JSON.stringify(reply.body);
    return Promise.resolve(new Response(text, { status: reply.status, headers: reply.headers }));
  };
}

/** One stream the page opened; the test plays the server's side of it. */
export interface FakeSource extends EventSourceLike {
  readonly url: string;
  readonly closed: boolean;
  /** The connection is up. */
  open(): void;
  /** An unnamed event: a room event. */
  message(event: WireEvent): void;
  /** A named event (`reset`, `members`, `shutdown`) with its data. */
  emit(type: string, data?: unknown): void;
  /** The stream failed: the browser retries by itself (`connecting`) or gave up (`closed`). */
  fail(state: "connecting" | "closed"): void;
}

/** An EventSource class whose instances the test reaches through `opened`. */
export function fakeEventSources(): { EventSource: EventSourceClass; opened: FakeSource[] } {
  const opened: FakeSource[] = [];
  class Source implements FakeSource {
    readyState = 0;
    closed = false;
    onopen: ((event: Event) => void) | null = null;
    onmessage: ((event: MessageEvent) => void) | null = null;
    onerror: ((event: Event) => void) | null = null;
    #listeners = new Map<string, ((event: MessageEvent) => void)[]>();

    constructor(readonly url: string) {
      opened.push(this);
    }

    addEventListener(type: string, listener: (event: MessageEvent) => void): void {
      this.#listeners.set(type, [...this.#listeners.get(type) ?? [], listener]);
    }

    close(): void {
      this.readyState = 2;
      this.closed = true;
    }

    open(): void {
      this.readyState = 1;
      this.onopen?.(new Event("open"));
    }

    message(event: WireEvent): void {
      this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(event) }));
    }

    emit(type: string, data?: unknown): void {
      const event = new MessageEvent(type, { data: data === undefined ? "" : JSON.stringify(data) });
      for (const listener of this.#listeners.get(type) ?? []) listener(event);
    }

    fail(state: "connecting" | "closed"): void {
      this.readyState = state === "closed" ? 2 : 0;
      this.onerror?.(new Event("error"));
    }
  }
  return { EventSource: Source, opened };
}

/** Timers that run only when the test fires them. */
export class FakeTimers implements Timers {
  #next = 0;
  #pending = new Map<number, { run: () => void; ms: number }>();

  setTimeout(run: () => void, ms: number): number {
    this.#pending.set(++this.#next, { run, ms });
    return this.#next;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  /** The delays of the timers waiting. */
  get delays(): number[] {
    return [...this.#pending.values()].map((timer) => timer.ms);
  }

  /** Runs every waiting timer now. */
  fire(): void {
    const due = [...this.#pending.values()];
    this.#pending.clear();
    for (const timer of due) timer.run();
  }
}

export class MemoryStorage implements NameStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** A page rendered with nothing in it yet but an event id to resume from. */
export function emptyPage(lastEventId = "e-0"): ChatInit {
  return { events: [], members: { members: [], total: 0 }, lastEventId };
}

export function message(n: number, text = `message ${n}`): WireEvent {
  return { id: `e-${n}`, at: n * 1000, kind: "message", from: "Ana", door: "web", text };
}

/** Lets answered calls (and what they start) run to their end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
