/**
 * A TCP connection spoken in lines, as the chat's TCP door speaks: UTF-8, one line per `\n` (a `\r\n` is
 * accepted), each held to a maximum: a longer one comes as a `TooLong` (see line_splitter.ts).
 *
 * @example
 * ```ts
 * import { connectLines } from "./line_conn.ts";
 * export async function chatAs(name: string): Promise<void> {
 *   const conn = await connectLines({ hostname: "127.0.0.1", port: 60000, maxLine: 2048 }, 10_000);
 *   await conn.write(name);
 *   for await (const line of conn.lines()) console.log(line);
 * }
 * ```
 */
import { LineSplitter, type ServerLine } from "./line_splitter.ts";

export interface LineConn {
  /** The server's lines until it closes the connection (or the connection breaks). */
  lines(): AsyncIterable<ServerLine>;
  /** Sends `line` and a newline; rejects when the connection is broken. */
  write(line: string): Promise<void>;
  /** Closes the connection; harmless when already closed. */
  close(): void;
}

const encoder = new TextEncoder();

/**
 * Bytes a server line may take beyond the longest message: the words the server puts around one
 * (`[private to NAME] `, a name being up to 32 characters of up to 4 bytes), and the greeting, which names
 * up to 20 members (about 2.8 KB at most, whatever the longest message).
 */
export const LINE_FRAMING_BYTES = 4096;

/** How to reach the server: plain TCP, or TLS (trusting `caCerts` too, PEM, e.g. a self-signed server's). */
export interface Endpoint {
  hostname: string;
  port: number;
  tls?: { caCerts?: string[] };
  /** The server's longest message (its `--max-line`): a longer line than it allows for is skipped. */
  maxLine: number;
}

/** Connects, or rejects when the server does not answer within `timeoutMs` (or refuses). */
export async function connectLines(
  { hostname, port, tls, maxLine }: Endpoint,
  timeoutMs: number,
): Promise<LineConn> {
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
    return new TcpLines(conn, maxLine + LINE_FRAMING_BYTES);
  } catch (error) {
    connecting.then((conn) => conn.close()).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

class TcpLines implements LineConn {
  #writing: Promise<void> = Promise.resolve();

  constructor(readonly conn: Deno.Conn, readonly maxLineBytes: number) {}

  async *lines(): AsyncIterable<ServerLine> {
    const splitter = new LineSplitter(this.maxLineBytes);
    const buffer = new Uint8Array(16 * 1024);
    for (;;) {
      let n: number | null;
      try {
        n = await this.conn.read(buffer);
      } catch {
        n = null; // reset or closed by us: the same as the end
      }
      if (n === null) break;
      yield* splitter.push(buffer.subarray(0, n));
    }
    yield* splitter.end();
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
