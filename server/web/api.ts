/**
 * What the API routes share: the session cookie, JSON errors and JSON bodies. The rules themselves live
 * in the WebDoor and the Room; this is only the HTTP side of them.
 *
 * @example
 * ```ts
 * // routes/api/whoami.ts
 * import type { Context } from "hono";
 * import { currentSession, jsonError, NOT_SIGNED_IN } from "../../server/web/api.ts";
 * import type { AppEnv } from "../../server/web/env.ts";
 * export const handler = {
 *   async GET(c: Context<AppEnv>): Promise<Response> {
 *     const session = await currentSession(c);
 *     return session ? c.json({ name: session.member.name }) : jsonError(c, 401, NOT_SIGNED_IN);
 *   },
 * };
 * ```
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { HttpBindings } from "@hono/node-server";
import type { ErrorAnswer } from "../../common/api.ts";
import type { ServerResponse } from "node:http";
import type { Refusal } from "../io/caps.ts";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./env.ts";
import { canonicalAddress } from "../net/trusted_proxies.ts";
import type { Session } from "./sessions.ts";

export const SESSION_COOKIE = "chat_session";
export const NOT_SIGNED_IN = "not signed in";

const COOKIE_OPTIONS = { httpOnly: true, sameSite: "Strict", path: "/" } as const;
/** JSON escapes a byte of text as at most six (`\u0000`), plus room for the rest of a small object. */
const JSON_EXPANSION = 6;
const JSON_OVERHEAD_BYTES = 1024;

/**
 * The live session the request's cookie names (one another instance signed in is picked up, its name
 * counted against the request's address).
 */
export function currentSession(c: Context<AppEnv>): Promise<Session | undefined> {
  return c.var.web.sessions.resolve(getCookie(c, SESSION_COOKIE), remoteAddress(c));
}

export function setSessionCookie(c: Context<AppEnv>, session: Session): void {
  setCookie(c, SESSION_COOKIE, session.token, cookieOptions(c));
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}

/** Served over HTTPS, the cookie is `Secure`: a browser never sends it over plain HTTP. */
function cookieOptions(c: Context<AppEnv>) {
  return c.var.config.tlsCert === "" ? COOKIE_OPTIONS : { ...COOKIE_OPTIONS, secure: true };
}

/** The API's error shape: `{ "error": "human readable message" }`. */
export function jsonError(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  message: string,
  headers?: Record<string, string>,
): Response {
  return c.json<ErrorAnswer>({ error: message }, status, headers);
}

/**
 * The address the request came from: the TCP peer, or, when the peer is a trusted proxy (--trust-proxy),
 * the client its `X-Forwarded-For` or `Forwarded` names (see server/net/trusted_proxies.ts). Empty when the
 * app is driven without node:http (`app.request` in tests).
 */
export function remoteAddress(c: Context<AppEnv>): string {
  const peer = bindings(c)?.incoming.socket.remoteAddress ?? "";
  const proxies = c.var.proxies;
  if (!proxies || !proxies.trusts(peer)) return peer;
  const client = proxies.clientAddress(peer, {
    forwardedFor: c.req.header("X-Forwarded-For"),
    forwarded: c.req.header("Forwarded"),
  });
  return client === canonicalAddress(peer) ? peer : client;
}

/** Whether the request came through a trusted proxy that named a client other than itself. */
export function forwarded(c: Context<AppEnv>): boolean {
  return remoteAddress(c) !== (bindings(c)?.incoming.socket.remoteAddress ?? "");
}

/**
 * Why one more connection from the request's address would be refused now (the request's own counted):
 * what a stream opened on a new connection would get. Through a trusted proxy, the client's own limit: the
 * proxy's connection is counted already. Undefined when it would be let in.
 */
export function connectionRefusal(c: Context<AppEnv>): Refusal | undefined {
  const address = remoteAddress(c);
  return forwarded(c) ? c.var.connections?.forwardRefusal(address) : c.var.connections?.refusal(address);
}

/** The node:http response the request is answered on, when it came through node:http. */
export function nodeResponse(c: Context<AppEnv>): ServerResponse | undefined {
  return bindings(c)?.outgoing;
}

function bindings(c: Context<AppEnv>): HttpBindings | undefined {
  return (c.env as HttpBindings | undefined)?.incoming ? c.env as HttpBindings : undefined;
}

/** A limit refusal: 429 when the address has too many, 503 when the server is full. */
export function refuse(c: Context<AppEnv>, refusal: Refusal): Response {
  return jsonError(c, refusal.kind === "address" ? 429 : 503, refusal.error);
}

/**
 * What a request body may hold before it is checked: the fields of `T`, each of any JSON type. Naming
 * the request type keeps a route's field names those of the API (`body.txt` does not compile).
 */
export type Unchecked<T> = { [K in keyof T]?: unknown };

/** The request body as a JSON object (its fields still to be checked), or undefined when it is not one. */
export async function readJsonObject<T = Record<string, unknown>>(
  c: Context<AppEnv>,
): Promise<Unchecked<T> | undefined> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return undefined;
  }
  return typeof body === "object" && body !== null && !Array.isArray(body) ? body as Unchecked<T> : undefined;
}

/** The largest API request body worth reading: a message of `maxLine` bytes, however it is escaped. */
export function maxBodyBytes(maxLine: number): number {
  return maxLine * JSON_EXPANSION + JSON_OVERHEAD_BYTES;
}
