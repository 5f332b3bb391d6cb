/**
 * The web API's requests and answers, as the routes send and parse them and the chat island expects them.
 * Type-only apart from the paths: this file ships to the browser. The stream's frames are in `wire.ts`.
 *
 * @example
 * ```ts
 * import type { MessageAnswer, MessageRequest } from "./api.ts";
 * const request: MessageRequest = { text: "/who", key: "k-1" };
 * const answer: MessageAnswer = { reply: ["Online (1): Ana"] };
 * ```
 */

export const SESSION_PATH = "/api/session";
export const MESSAGES_PATH = "/api/messages";
export const EVENTS_PATH = "/api/events";

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

/** Every refusal (4xx, 5xx): a sentence for a person. */
export interface ErrorAnswer {
  error: string;
}
