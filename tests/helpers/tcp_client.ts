/**
 * A line client for the TCP door over a real socket, for tests: it reads in the background, splits
 * what arrives into lines (bytes split at `\n`, then decoded, so a test sees exactly what `nc` would),
 * and lets a test wait for the line it expects instead of sleeping.
 *
 * @example
 * ```ts
 * import { startServer } from "./server.ts";
 * import { join } from "./tcp_client.ts";
 * export async function anaSaysHello(): Promise<void> {
 *   await using server = await startServer();
 *   await using ana = await join(server.tcpPort, "Ana");
 *   await ana.send("hello");
 *   await ana.expectLine("Ana: hello");
 * }
 * ```
 */

import { Arrivals, DEFAULT_TIMEOUT_MS } from "./arrivals.ts";

export { DEFAULT_TIMEOUT_MS };
export const WELCOME = "Welcome to the chatroom! Enter your name:";

const encoder = new TextEncoder();
const NEWLINE = 0x0a;

export type LineMatch = string | RegExp | ((line: string) => boolean);

export class TcpClient<C extends Deno.Conn = Deno.TcpConn> implements AsyncDisposable {
  /** Every line received so far, in order (also the ones already consumed). */
  readonly received: string[] = [];
  #unread: string[] = [];
  #pending = new Uint8Array(0);
  #eof = false;
  #arrivals = new Arrivals();
  #ended: Promise<void> | undefined;

  /** With `reading: false` nothing is read from the socket until {@link startReading}: a reader that stalls. */
  constructor(readonly conn: C, { reading = true } = {}) {
    if (reading) this.startReading();
  }

  /** Starts taking bytes off the socket (only needed after `reading: false`). */
  startReading(): void {
    this.#ended ??= this.#pump();
  }

  /** Sends `text` followed by a newline. */
  send(text: string): Promise<void> {
    return this.sendRaw(text + "\n");
  }

  /** Sends exactly these bytes (a string is UTF-8 encoded, no newline added). */
  async sendRaw(data: string | Uint8Array): Promise<void> {
    let bytes = typeof data === "string" ? encoder.encode(data) : data;
    while (bytes.length > 0) {
      const n = await this.conn.write(bytes);
      bytes = bytes.subarray(n);
    }
  }

  /** The next line not yet consumed, or `null` at end of stream; throws after `timeoutMs`. */
  async readLine(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.#unread.length === 0) {
      if (this.#eof) return null;
      if (!await this.#arrivals.wait(deadline)) {
        throw new Error(`no line within ${timeoutMs} ms; received so far:\n${this.#transcript()}`);
      }
    }
    return this.#unread.shift()!;
  }

  /**
   * Consumes lines until one matches and returns it. Fails, quoting every line received, when the
   * stream ends or `timeoutMs` passes first.
   */
  async expectLine(match: LineMatch, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const test = matcher(match);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#unread.length > 0) {
        const line = this.#unread.shift()!;
        if (test(line)) return line;
      }
      const why = this.#eof
        ? "the connection ended"
        : await this.#arrivals.wait(deadline)
        ? ""
        : `${timeoutMs} ms passed`;
      if (why) {
        throw new Error(`expected a line matching ${describe(match)}, but ${why}; received:\n${this.#transcript()}`);
      }
    }
  }

  /** Consumes lines up to and including the next one matching, and returns them all (the match last). */
  async linesUntil(match: LineMatch, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string[]> {
    const test = matcher(match);
    const from = this.received.length - this.#unread.length;
    await this.expectLine(test, timeoutMs);
    return this.received.slice(from, this.received.length - this.#unread.length);
  }

  /** Resolves when the server has closed the connection (EOF or reset); returns the lines never consumed. */
  async closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string[]> {
    this.startReading();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`connection still open after ${timeoutMs} ms; received:\n${this.#transcript()}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.#ended!, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.#unread.splice(0);
  }

  /** Closes our end (a FIN); harmless if already closed. */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#ended;
  }

  async #pump(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.conn.read(buffer);
        if (n === null) break;
        this.#take(buffer.subarray(0, n));
        this.#arrivals.notify();
      }
    } catch {
      // reset, or closed by us: either way the stream has ended
    }
    if (this.#pending.length > 0) this.#push(this.#pending);
    this.#pending = new Uint8Array(0);
    this.#eof = true;
    this.#arrivals.notify();
  }

  #take(chunk: Uint8Array): void {
    let bytes = new Uint8Array(this.#pending.length + chunk.length);
    bytes.set(this.#pending);
    bytes.set(chunk, this.#pending.length);
    for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE)) {
      this.#push(bytes.subarray(0, end));
      bytes = bytes.subarray(end + 1);
    }
    this.#pending = bytes.slice();
  }

  #push(bytes: Uint8Array): void {
    const line = new TextDecoder().decode(bytes);
    this.received.push(line);
    this.#unread.push(line);
  }

  #transcript(): string {
    const shown = this.received.slice(-60).map((line) => `  | ${JSON.stringify(line)}`);
    const skipped = this.received.length - shown.length;
    return (skipped > 0 ? `  | … ${skipped} earlier lines\n` : "") + (shown.join("\n") || "  (nothing)");
  }
}

/** Opens a socket to the TCP door on 127.0.0.1; `reading: false` makes a client that reads nothing yet. */
export async function connectTcp(port: number, options: { reading?: boolean } = {}): Promise<TcpClient> {
  return new TcpClient(await Deno.connect({ hostname: "127.0.0.1", port }), options);
}

/** Opens a TLS connection to the TCP door's TLS port on 127.0.0.1, trusting `caCert` (PEM). */
export async function connectTls(port: number, caCert: string): Promise<TcpClient<Deno.TlsConn>> {
  return new TcpClient(await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [caCert] }));
}

/** Connects, answers the greeting with `name`, and waits until the room announces the join. */
export async function join(port: number, name: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<TcpClient> {
  return await enter(await connectTcp(port), name, timeoutMs);
}

/** {@link join} over the TLS port, trusting `caCert` (PEM). */
export async function joinTls(
  port: number,
  caCert: string,
  name: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<TcpClient<Deno.TlsConn>> {
  return await enter(await connectTls(port, caCert), name, timeoutMs);
}

/** Answers the greeting of a connected `client` with `name` and waits until the room announces the join. */
export async function enter<C extends Deno.Conn>(
  client: TcpClient<C>,
  name: string,
  timeoutMs: number,
): Promise<TcpClient<C>> {
  try {
    await client.expectLine(WELCOME, timeoutMs);
    await client.send(name);
    await client.expectLine(`* ${name} joined the chat`, timeoutMs);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

function matcher(match: LineMatch): (line: string) => boolean {
  if (typeof match === "string") return (line) => line === match;
  if (match instanceof RegExp) return (line) => match.test(line);
  return match;
}

function describe(match: LineMatch): string {
  return typeof match === "string" ? JSON.stringify(match) : match instanceof RegExp ? String(match) : "the predicate";
}
