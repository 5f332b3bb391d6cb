/**
 * A browser-like client for the web API over real HTTP, for tests: it keeps the session cookie as a
 * browser would, sends the page's own `Origin` with every request unless told otherwise, and reads JSON
 * answers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebClient } from "./http.ts";
 * import { startServer } from "./server.ts";
 * export async function anaSaysHello(): Promise<void> {
 *   await using server = await startServer();
 *   const ana = new WebClient(server.httpUrl);
 *   assert.equal((await ana.signIn("Ana")).status, 201);
 *   await using events = await ana.events();
 *   await ana.say("hello");
 * }
 * ```
 */
import type { WireEvent } from "../../common/wire.ts";
import { openEvents, type SseClient, type SseEvent } from "./sse_client.ts";

export const SESSION_COOKIE = "chat_session";

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the raw text when it is not JSON (null for an empty body). */
  body: unknown;
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (for bodies that are not valid JSON). */
  raw?: string;
  /** `null`: no Origin header at all; a string: that Origin. Default: the server's own origin. */
  origin?: string | null;
  headers?: Record<string, string>;
}

export class WebClient {
  /** The session cookie's value, as the server last set it. */
  token: string | undefined;

  /** `client`: for HTTPS with a test certificate (`Deno.createHttpClient({ caCerts })`). */
  constructor(readonly baseUrl: string, readonly client?: Deno.HttpClient) {}

  /** e.g. `http://127.0.0.1:41234` */
  get origin(): string {
    return new URL(this.baseUrl).origin;
  }

  /** The `Cookie` header this client sends (empty without a session). */
  get cookieHeader(): Record<string, string> {
    return this.token === undefined ? {} : { Cookie: `${SESSION_COOKIE}=${this.token}` };
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...this.cookieHeader, ...options.headers };
    const origin = options.origin === undefined ? this.origin : options.origin;
    if (origin !== null) headers.Origin = origin;
    let body: string | undefined = options.raw;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["Content-Type"] = "application/json";
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, client: this.client });
    this.#takeCookie(response.headers);
    const text = await response.text();
    let parsed: unknown = text === "" ? null : text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  signIn(name: string): Promise<ApiResponse> {
    return this.request("POST", "/api/session", { json: { name } });
  }

  session(): Promise<ApiResponse> {
    return this.request("GET", "/api/session");
  }

  signOut(): Promise<ApiResponse> {
    return this.request("DELETE", "/api/session");
  }

  say(text: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request("POST", "/api/messages", { json: { text }, ...options });
  }

  /**
   * Opens the session's event stream; `lastEventId` is sent as the `Last-Event-ID` header. A `paused`
   * stream reads nothing until resumed.
   */
  events(lastEventId?: string, query = "", options: { paused?: boolean } = {}): Promise<SseClient> {
    const headers = { ...this.cookieHeader };
    if (lastEventId !== undefined) Object.assign(headers, { "Last-Event-ID": lastEventId });
    return openEvents(new URL(`/api/events${query}`, this.baseUrl).href, headers, { ...options, client: this.client });
  }

  /** Opens a stream, reads it up to the `members` frame, closes it: the last event id it saw, to resume from. */
  async streamPosition(): Promise<string> {
    await using events = await this.events();
    await events.until((event) => event.event === "members");
    return events.lastEventId;
  }

  #takeCookie(headers: Headers): void {
    for (const cookie of headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(";").map((part) => part.trim());
      const [name, value] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
      if (name !== SESSION_COOKIE) continue;
      const expired = attributes.some((attribute) => /^max-age=0$/i.test(attribute)) || value === "";
      this.token = expired ? undefined : value;
    }
  }
}

/** A web member that signed in as `name` (asserting 201) and whose stream is open and has seen its own join. */
export async function webMember(baseUrl: string, name: string): Promise<{ client: WebClient; events: SseClient }> {
  const client = new WebClient(baseUrl);
  const answer = await client.signIn(name);
  if (answer.status !== 201) throw new Error(`sign in as ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  const events = await client.events();
  await events.expect((event) => event.event === "message" && isEvent(event.data, "join", name));
  return { client, events };
}

/** The room event an SSE `data` line carries. */
export function parseEvent(data: string): WireEvent {
  return JSON.parse(data) as WireEvent;
}

/** Matches the SSE room event whose text is `text`. */
export function isText(text: string): (event: SseEvent) => boolean {
  return (event) => event.event === "message" && parseEvent(event.data).text === text;
}

function isEvent(data: string, kind: string, from: string): boolean {
  const event = parseEvent(data);
  return event.kind === kind && event.from === from;
}
