/**
 * The connection limits at the web door's accept: every HTTP connection takes a slot in the caps both
 * doors share (per address and in all) when it is accepted, whatever it goes on to send, and gives it back
 * when it closes. A connection over the limits is answered at once with a short canned `429` (its address
 * has too many) or `503` (the server is full) JSON answer with `Connection: close`, before a byte of its
 * request is looked at, then closed: within {@link REFUSED_LINGER_MS}, or at once, unanswered, when
 * {@link MAX_REFUSING} refused sockets are already waiting (see ConnectionCaps.answering). Over HTTPS the
 * answer has to wait for the TLS handshake: it goes out on the secured socket ({@link ConnectionGate.secured}),
 * which node names by the same peer address and port.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { ConnectionCaps } from "../io/caps.ts";
 * import { ConnectionGate } from "./gate.ts";
 * const gate = new ConnectionGate(new ConnectionCaps({ maxPerAddress: 16, maxConnections: 100, exempt: "loopback" }));
 * const server = createServer((req, res) => gate.refused(req.socket) || res.end("hello"));
 * server.prependListener("connection", (socket) => gate.admit(socket));
 * server.on("clientError", (error, socket) => gate.clientError(error, socket));
 * ```
 */
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { concat } from "../io/bytes.ts";
import type { ConnectionCaps, Refusal } from "../io/caps.ts";
import { Counters } from "../ops/counters.ts";
import { log } from "../ops/log.ts";
import { SECURITY_HEADER_VALUES } from "./app.ts";

/**
 * How long a refused socket may stay open for its answer and the client's close. Closing while the
 * client's request is still unread would send a reset, which can make the client lose the answer.
 */
export const REFUSED_LINGER_MS = 1000;

const STATUS = { address: "429 Too Many Requests", full: "503 Service Unavailable" } as const;
/** What node:http would answer a request it could not take, by its error's code. */
const CLIENT_ERRORS: Record<string, [string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: ["408 Request Timeout", "the request did not arrive in time"],
  HPE_HEADER_OVERFLOW: ["431 Request Header Fields Too Large", "request head too large"],
};
const BAD_REQUEST: [string, string] = ["400 Bad Request", "malformed request"];
const encoder = new TextEncoder();

export class ConnectionGate {
  #refused = new WeakSet<Socket>();
  /** HTTPS: refused connections waiting for their handshake, by peer `address|port`, with their answer. */
  #awaitingHandshake = new Map<string, Uint8Array>();
  #answers = new Map<string, Uint8Array>();

  /** `tls`: the server speaks HTTPS, so answers go out only after the handshake. */
  constructor(readonly caps: ConnectionCaps, readonly tls = false, readonly counters: Counters = new Counters()) {}

  /** For the server's 'connection' event, ahead of node:http's own listener. */
  admit(socket: Socket): void {
    const address = socket.remoteAddress ?? "";
    // A trusted proxy's connection carries many clients' requests; their streams count per client (forward()).
    const refusal = this.caps.options.proxies?.trusts(address) ? this.caps.proxyRefusal() : this.caps.refusal(address);
    if (!refusal) {
      this.counters.web.accepted++;
      const slot = this.caps.take(address);
      socket.once("close", () => slot.release());
      return;
    }
    this.#refused.add(socket);
    this.counters.web.refused[refusal.kind]++;
    log.warn("web.refuse", { address, port: socket.remotePort, reason: refusal.kind });
    const answered = this.caps.answering();
    if (!answered) {
      socket.destroy();
      return;
    }
    const timer = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
    const peer = peerOf(socket);
    socket.once("close", () => {
      clearTimeout(timer);
      this.#awaitingHandshake.delete(peer);
      answered();
    });
    if (this.tls) this.#awaitingHandshake.set(peer, this.#answer(refusal));
    else socket.end(this.#answer(refusal));
  }

  /** HTTPS, for the server's 'secureConnection' event: a refused connection now gets its answer. */
  secured(socket: Socket): void {
    const answer = this.#awaitingHandshake.get(peerOf(socket));
    if (!answer) return;
    this.#refused.add(socket);
    socket.end(answer);
  }

  /**
   * For the server's 'clientError' event: a request node:http could not take (too slow, malformed, head
   * too large) is answered as node:http would, but with the security headers and a JSON body, and closed.
   */
  clientError(error: Error & { code?: string }, socket: Duplex): void {
    if (socket.writable && !this.#refused.has(socket as Socket) && error.code !== "ECONNRESET") {
      const [status, message] = CLIENT_ERRORS[error.code ?? ""] ?? BAD_REQUEST;
      socket.write(this.#canned(status, message));
    }
    socket.destroy();
  }

  /** True for a connection refused at accept: node:http may still parse its request, which is not served. */
  refused(socket: Socket): boolean {
    return this.#refused.has(socket);
  }

  #answer(refusal: Refusal): Uint8Array {
    return this.#canned(STATUS[refusal.kind], refusal.error);
  }

  /** The answer bytes for a status and an error message, made once. */
  #canned(status: string, error: string): Uint8Array {
    const key = `${status}\n${error}`;
    let bytes = this.#answers.get(key);
    if (!bytes) {
      bytes = cannedAnswer(status, JSON.stringify({ error }));
      this.#answers.set(key, bytes);
    }
    return bytes;
  }
}

function peerOf(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/** A whole HTTP/1.1 answer with a JSON body, the security headers and `Connection: close`. */
function cannedAnswer(status: string, json: string): Uint8Array {
  const body = encoder.encode(json);
  const headers: Record<string, string> = {
    ...SECURITY_HEADER_VALUES,
    "Content-Type": "application/json",
    "Content-Length": String(body.length),
    "Cache-Control": "no-store",
    "Connection": "close",
  };
  const head = `HTTP/1.1 ${status}\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  return concat([encoder.encode(head), body]);
}
