/**
 * The web API's requests and answers, as the routes send and parse them and the chat island expects them.
 * Type-only apart from the paths and the history page sizes: this file ships to the browser. The stream's frames
 * are in `wire.ts`.
 *
 * @example
 * ```ts
 * import type { MessageAnswer, MessageRequest } from "./api.ts";
 * const request: MessageRequest = { text: "/who", key: "k-1" };
 * const answer: MessageAnswer = { reply: ["Online (1): Ana"] };
 * ```
 */
import type { WireEvent } from "./wire.ts";

export const SESSION_PATH = "/api/session";
export const MESSAGES_PATH = "/api/messages";
export const EVENTS_PATH = "/api/events";
export const HISTORY_PATH = "/api/history";

/** `GET /api/history`: events per page unless `limit` says otherwise, and the most `limit` may ask for. */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;

/** `POST /api/session`. */
export interface SessionRequest {
  name: string;
}

/** `GET` and `POST /api/session` (200, or 201 for a new session): whom the session cookie names. */
export interface SessionAnswer {
  name: string;
}

/** `POST /api/messages`: one line, as typed; `key` (1–64 of `A-Z a-z 0-9 _ -`) makes its retry safe. */
export interface MessageRequest {
  text: string;
  key?: string;
}

/** `POST /api/messages` 202: posted, or a command answered. */
export type MessageAnswer = MessageSent | MessageReply | MessageQuit;

/** The line was posted (or was a command with nothing to say). */
export interface MessageSent {
  reply?: undefined;
  quit?: undefined;
}

/** `/help`, `/who`: lines for this page only. */
export interface MessageReply {
  reply: string[];
  quit?: undefined;
}

/** `/quit`: the session is over and its cookie cleared. */
export interface MessageQuit {
  quit: true;
  reply?: undefined;
}

/**
 * `GET /api/history?before=ID&limit=N` 200: the newest `limit` events before `ID` the member may see
 * (public ones and its own private ones), oldest first; `more` is false once the page reaches the start of
 * what the store keeps (an empty page there).
 */
export interface HistoryAnswer {
  events: WireEvent[];
  more: boolean;
  /** The id to ask `before` for the next page (what the server looked at may reach past the events shown). */
  next: string;
}

/** Every refusal (4xx, 5xx): a sentence for a person. */
export interface ErrorAnswer {
  error: string;
}
