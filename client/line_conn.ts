/**
 * A TCP connection spoken in lines, as the chat's TCP door speaks: UTF-8, one line per `\n` (a `\r\n` is
 * accepted). Bytes are split at `\n` before decoding, so a character cut between two reads arrives whole.
 *
 * @example
 * ```ts
 * import { connectLines } from "./line_conn.ts";
 * export async function chatAs(name: string): Promise<void> {
 *   const conn = await connectLines({ hostname: "127.0.0.1", port: 60000 }, 10_000);
 *   await conn.write(name);
 *   for await (const line of conn.lines()) console.log(line);
 * }
 * ```
 */

export interface LineConn {
  /** The server's lines until it closes the connection (or the connection breaks). */
  lines(): AsyncIterable<string>;
  /** Sends `line` and a newline; rejects when the connection is broken. */
  write(line: string): Promise<void>;
  /** Closes the connection; harmless when already closed. */
  close(): void;
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

/** How to reach the server: plain TCP, or TLS (trusting `caCerts` too, PEM, e.g. a self-signed server's). */
export interface Endpoint {
  hostname: string;
  port: number;
  tls?: { caCerts?: string[] };
}

/** Connects, or rejects when the server does not answer within `timeoutMs` (or refuses). */
export async function connectLines({ hostname, port, tls }: Endpoint, timeoutMs: number): Promise<LineConn> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connecting: Promise<Deno.TcpConn | Deno.TlsConn> = tls
    ? Deno.connectTls({ hostname, port, caCerts: tls.caCerts })
    : Deno.connect({ hostname, port });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const conn = await Promise.race([connecting, timeout]);
    if ("handshake" in conn) await Promise.race([conn.handshake(), timeout]);
    else conn.setNoDelay(true);
    return new TcpLines(conn);
  } catch (error) {
    connecting.then((conn) => conn.close()).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

class TcpLines implements LineConn {
  #writing: Promise<void> = Promise.resolve();

  constructor(readonly conn: Deno.Conn) {}

  async *lines(): AsyncIterable<string> {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(16 * 1024);
    let pending = new Uint8Array(0);
    for (;;) {
      let n: number | null;
      try {
        n = await this.conn.read(buffer);
      } catch {
        n = null; // reset or closed by us: the same as the end
      }
      if (n === null) break;
      const bytes = new Uint8Array(pending.length + n);
      bytes.set(pending);
      bytes.set(buffer.subarray(0, n), pending.length);
      let start = 0;
      for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
        yield decoder.decode(bytes.subarray(start, end)).replace(/\r$/, "");
        start = end + 1;
      }
      pending = bytes.slice(start);
    }
    if (pending.length > 0) yield decoder.decode(pending);
  }

  /** Writes are chained, so two lines sent at once never interleave. */
  write(line: string): Promise<void> {
    const bytes = encoder.encode(line + "\n");
    const writing = this.#writing.then(async () => {
      for (let sent = 0; sent < bytes.length;) sent += await this.conn.write(bytes.subarray(sent));
    });
    this.#writing = writing.catch(() => {});
    return writing;
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}
