/**
 * The chat island's calls to the web API, one method each, answered in the shapes of common/api.ts.
 * `fetch` is handed in (the page's own by default), so a test answers without a server.
 *
 * @example
 * ```ts
 * import { createApiClient } from "./api.ts";
 * export async function whoAmI(): Promise<string | undefined> {
 *   const api = createApiClient();
 *   const answer = await api.session(); // rejects only when the server cannot be reached
 *   return answer.ok ? answer.body.name : undefined;
 * }
 * ```
 */
import {
  EVENTS_PATH,
  HISTORY_PATH,
  type HistoryAnswer,
  type MessageAnswer,
  type MessageRequest,
  MESSAGES_PATH,
  SESSION_PATH,
  type SessionAnswer,
  type SessionRequest,
} from "../../common/api.ts";

/** The part of `fetch` the client uses. */
export type Fetch = (path: string, init: RequestInit) => Promise<Response>;

/** An answer with the status its call expects, and its body. */
export interface Accepted<T> {
  ok: true;
  status: number;
  headers: Headers;
  body: T;
}

/** Any other answer: its status, and the server's reason (`{ error }`) when it gave one. */
export interface Refused {
  ok: false;
  status: number;
  headers: Headers;
  error?: string;
}

export type Answer<T> = Accepted<T> | Refused;

export interface ApiClient {
  /** `GET /api/session`: whom the cookie names (200); 401 when it names no live session. */
  session(): Promise<Answer<SessionAnswer>>;
  /** `POST /api/session`: signed in (201), or already so (200). */
  signIn(name: string): Promise<Answer<SessionAnswer>>;
  /** `DELETE /api/session`: leaves the room. */
  signOut(): Promise<void>;
  /** `POST /api/messages`: taken (202), maybe with lines to show or the end of the session. */
  send(request: MessageRequest): Promise<Answer<MessageAnswer>>;
  /** `GET /api/events?check`: whether a stream would be let in now (204), without opening one. */
  checkStream(): Promise<Answer<undefined>>;
  /** `GET /api/history`: up to `limit` events before the one with id `before` (200). */
  history(before: string, limit: number): Promise<Answer<HistoryAnswer>>;
}

/**
 * A client of the web API. Every method rejects only when the server cannot be reached; any answer it
 * gets, refusals included, resolves.
 *
 * @example
 * ```ts
 * import { createApiClient } from "./api.ts";
 * import type { Answer } from "./api.ts";
 * import type { SessionAnswer } from "../../common/api.ts";
 * // A server that refuses every call, as a test might script it:
 * const refuseAll = () => Promise.resolve(Response.json({ error: "closed" }, { status: 503 }));
 * export function signIn(name: string): Promise<Answer<SessionAnswer>> {
 *   return createApiClient(refuseAll).signIn(name); // { ok: false, status: 503, error: "closed", … }
 * }
 * ```
 */
export function createApiClient(fetch: Fetch = (path, init) => globalThis.fetch(path, init)): ApiClient {
  async function call(method: string, path: string, request?: object) {
    const response = await fetch(path, {
      method,
      headers: request === undefined ? {} : { "Content-Type": "application/json" },
      body: request === undefined ? undefined : JSON.stringify(request),
      credentials: "same-origin",
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body };
  }

  /** The answer as `T` when its status is one of `expected` and it holds a JSON object. */
  async function answer<T>(expected: number[], method: string, path: string, request?: object): Promise<Answer<T>> {
    const { status, headers, body } = await call(method, path, request);
    if (expected.includes(status) && isObject(body)) return { ok: true, status, headers, body: body as T };
    return refused(status, headers, body);
  }

  return {
    session: () => answer<SessionAnswer>([200], "GET", SESSION_PATH),
    signIn: (name) => answer<SessionAnswer>([200, 201], "POST", SESSION_PATH, { name } satisfies SessionRequest),
    async signOut() {
      await call("DELETE", SESSION_PATH);
    },
    send: (request) => answer<MessageAnswer>([202], "POST", MESSAGES_PATH, request),
    async checkStream() {
      const { status, headers, body } = await call("GET", `${EVENTS_PATH}?check`);
      return status === 204 ? { ok: true, status, headers, body: undefined } : refused(status, headers, body);
    },
    history: (before, limit) =>
      answer<HistoryAnswer>([200], "GET", `${HISTORY_PATH}?before=${encodeURIComponent(before)}&limit=${limit}`),
  };
}

function refused(status: number, headers: Headers, body: unknown): Refused {
  const error = isObject(body) && typeof body.error === "string" ? body.error : undefined;
  return { ok: false, status, headers, error };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
