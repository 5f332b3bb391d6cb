/**
 * A real server-sent events client for tests, over `fetch`: it parses the stream the way EventSource
 * does (`id:`, `event:`, `data:`, `retry:`, comments, any line ending, a field split across packets), keeps
 * everything it received, and lets a test wait for the event it expects instead of sleeping.
 *
 * @example
 * ```ts
 * import { openEvents } from "./sse_client.ts";
 * export async function awaitHello(httpUrl: string, cookie: string): Promise<void> {
 *   await using stream = await openEvents(`${httpUrl}/api/events`, { Cookie: cookie });
 *   const message = await stream.expect((event) => event.data.includes("hello"));
 *   console.log(message.id, JSON.parse(message.data));
 * }
 * ```
 */
import { Arrivals, DEFAULT_TIMEOUT_MS } from "./arrivals.ts";

/** One dispatched event. `event` is "message" for unnamed events; `id` is the id field of this block. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
  /** The stream's last event id when this event was dispatched (what EventSource would send back). */
  lastEventId: string;
}

export type SseMatch = (event: SseEvent) => boolean;

export class SseClient implements AsyncDisposable {
  /** Every event dispatched so far, in order (also the ones already consumed). */
  readonly events: SseEvent[] = [];
  /** Every comment line, without the leading colon. */
  readonly comments: string[] = [];
  /** The last `retry:` value received. */
  retry: number | undefined;
  /** As EventSource keeps it: set by every `id:` field, sent back as `Last-Event-ID` on reconnect. */
  lastEventId = "";
  #consumed = 0;
  #text = "";
  #block: { event: string; data: string[]; id?: string } = { event: "", data: [] };
  #ended = false;
  #arrivals = new Arrivals();
  #pumping: Promise<void>;
  #resume!: () => void;

  /** With `paused`, nothing is read from the connection until {@link SseClient.resume}: a reader that stalls. */
  constructor(readonly response: Response, private readonly abort: AbortController, paused = false) {
    const resumed = new Promise<void>((resolve) => this.#resume = resolve);
    if (!paused) this.#resume();
    this.#pumping = resumed.then(() => this.#pump());
  }

  /** Starts reading (see the constructor's `paused`). */
  resume(): void {
    this.#resume();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The next event not yet consumed, or `null` once the stream has ended; throws after `timeoutMs`. */
  async next(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SseEvent | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.#consumed === this.events.length) {
      if (this.#ended) return null;
      if (!await this.#arrivals.wait(deadline)) {
        throw new Error(`no event within ${timeoutMs} ms;${this.#transcript()}`);
      }
    }
    return this.events[this.#consumed++];
  }

  /** Consumes events until one matches and returns it; fails, quoting what arrived, if the stream ends first. */
  async expect(match: SseMatch, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SseEvent> {
    return (await this.until(match, timeoutMs)).at(-1)!;
  }

  /** Consumes events up to and including the next one matching, and returns them all (the match last). */
  async until(match: SseMatch, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    const from = this.#consumed;
    for (;;) {
      while (this.#consumed < this.events.length) {
        if (match(this.events[this.#consumed++])) return this.events.slice(from, this.#consumed);
      }
      const why = this.#ended
        ? "the stream ended"
        : await this.#arrivals.wait(deadline)
        ? ""
        : `${timeoutMs} ms passed`;
      if (why) throw new Error(`expected a matching event, but ${why};${this.#transcript()}`);
    }
  }

  /** Waits until a comment line equal to `text` (without the colon and one space) has arrived. */
  async expectComment(text: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.comments.includes(text)) {
      const why = this.#ended
        ? "the stream ended"
        : await this.#arrivals.wait(deadline)
        ? ""
        : `${timeoutMs} ms passed`;
      if (why) throw new Error(`expected the comment ${JSON.stringify(text)}, but ${why};${this.#transcript()}`);
    }
  }

  /** Resolves when the server has ended the stream; returns the events never consumed. */
  async closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      if (!await this.#arrivals.wait(deadline)) {
        throw new Error(`stream still open after ${timeoutMs} ms;${this.#transcript()}`);
      }
    }
    return this.events.slice(this.#consumed);
  }

  /** Drops the connection, as a closing browser tab does. */
  async close(): Promise<void> {
    this.abort.abort();
    this.#resume();
    await this.#pumping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.response.body!) {
        this.#feed(decoder.decode(chunk, { stream: true }));
        this.#arrivals.notify();
      }
      this.#feed(decoder.decode());
    } catch {
      // aborted by us or cut by the server: either way the stream has ended
    }
    this.#ended = true;
    this.#arrivals.notify();
  }

  #feed(text: string): void {
    this.#text += text;
    for (;;) {
      const end = this.#text.search(/\r\n|\r|\n/);
      // A CR at the very end may be the first half of a CRLF split across packets.
      if (end === -1 || (end === this.#text.length - 1 && this.#text[end] === "\r")) return;
      const line = this.#text.slice(0, end);
      this.#text = this.#text.slice(end + (this.#text.startsWith("\r\n", end) ? 2 : 1));
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) {
      this.comments.push(line.slice(1).replace(/^ /, ""));
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    switch (field) {
      case "event":
        this.#block.event = value;
        break;
      case "data":
        this.#block.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.#block.id = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
  }

  #dispatch(): void {
    const block = this.#block;
    this.#block = { event: "", data: [] };
    if (block.id !== undefined) this.lastEventId = block.id;
    if (block.data.length === 0) return;
    this.events.push({
      event: block.event || "message",
      data: block.data.join("\n"),
      id: block.id,
      lastEventId: this.lastEventId,
    });
  }

  #transcript(): string {
    const shown = this.events.slice(-40).map((e) => `  | ${e.event} ${e.id ?? "-"} ${e.data.slice(0, 200)}`);
    const skipped = this.events.length - shown.length;
    return `\nevents received:\n${skipped > 0 ? `  | … ${skipped} earlier events\n` : ""}${
      shown.join("\n") || "  (none)"
    }\ncomments: ${this.comments.length}`;
  }
}

/**
 * Opens an SSE stream with `fetch`. Throws if the answer is not a `200 text/event-stream` (its status and
 * body in the message), so a test that expects an error status should use `fetch` itself.
 */
export async function openEvents(
  url: string,
  headers: Record<string, string> = {},
  options: { paused?: boolean; client?: Deno.HttpClient } = {},
): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: "text/event-stream", ...headers },
    signal: abort.signal,
    client: options.client,
  });
  const type = response.headers.get("Content-Type") ?? "";
  if (response.status !== 200 || !type.startsWith("text/event-stream")) {
    const body = await response.text();
    throw new Error(`expected an event stream from ${url}, got ${response.status} ${type}: ${body}`);
  }
  return new SseClient(response, abort, options.paused);
}
