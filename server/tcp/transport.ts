/**
 * What carries one connection of a line door: it reads lines, writes bytes, closes, knows its peer, and
 * has a handshake where the transport has one. A {@link Connection} speaks the chat over it and knows
 * nothing of sockets; plain TCP and TLS are two transports over a `Deno.Conn` ({@link plainTransport},
 * {@link tlsTransport}), and another (a WebSocket, say) is one more implementation of this interface.
 *
 * @example
 * ```ts
 * import { plainTransport } from "./transport.ts";
 * export async function echoFirstLine(conn: Deno.Conn): Promise<void> {
 *   const transport = plainTransport(conn, 2048);
 *   const lines = await transport.readLines(); // the lines of one read, e.g. [{ line: "hi" }]
 *   const first = lines?.[0];
 *   if (first && "line" in first) await transport.write(new TextEncoder().encode(first.line + "\n"));
 *   transport.close();
 * }
 * ```
 */
import type { ByteWriter } from "../io/outbox.ts";
import { type LineItem, LineReader } from "./line_reader.ts";

export interface LineTransport extends ByteWriter {
  /** The peer's address and port, as logs and connection limits name it. */
  readonly address: string;
  readonly port: number;
  /**
   * Completes the transport's handshake (TLS) before anything is written, so a client that cannot speak it
   * is told apart from one that left; resolves at once for a transport without one. Rejects when it fails.
   */
  handshake(): Promise<void>;
  /**
   * The lines of the next read, in order (a line over the limit is an item saying so, never a part of it);
   * null once the peer has ended its side. Rejects when the connection is reset or closed under it.
   */
  readLines(): Promise<LineItem[] | null>;
  /** What is left once the peer ended its side: a last line that came without its newline. */
  endLines(): LineItem[];
  /** Writes some of `bytes` (all, or a first part when the peer is not taking them); resolves to how many. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes at once; closing twice is harmless. */
  close(): void;
}

/**
 * Idle members (most of them) read into a small buffer; each read that fills it doubles it, up to the busy
 * size, for good. Doubling keeps it within twice the biggest read: 512 B sent once no longer holds 16 KiB.
 * 128 B holds a name or a typical line in one read; it was 512, 0.4 KiB more for every idle member.
 */
const IDLE_READ_BYTES = 128;
const BUSY_READ_BYTES = 16384;

/**
 * Who is at the other end when a trusted proxy said so (a PROXY protocol header), and the bytes read after
 * its header: the client's first.
 */
export interface ProxiedPeer {
  address: string;
  port: number;
  first: Uint8Array;
}

/** A connection over a `Deno.Conn`: the reading and writing both transports share. */
class ConnTransport implements LineTransport {
  readonly address: string;
  readonly port: number;
  #buffer = new Uint8Array(IDLE_READ_BYTES);
  #lines: LineReader;
  #first: Uint8Array | undefined;

  constructor(
    private readonly conn: Deno.Conn,
    maxLine: number,
    private readonly shake?: () => Promise<unknown>,
    peer?: ProxiedPeer,
  ) {
    const { hostname, port } = conn.remoteAddr as Deno.NetAddr;
    this.address = peer?.address ?? hostname;
    this.port = peer?.port ?? port;
    this.#lines = new LineReader(maxLine);
    if (peer && peer.first.length > 0) this.#first = peer.first;
  }

  async handshake(): Promise<void> {
    await this.shake?.();
  }

  async readLines(): Promise<LineItem[] | null> {
    if (this.#first) {
      const first = this.#first;
      this.#first = undefined;
      return this.#lines.push(first);
    }
    const n = await this.conn.read(this.#buffer);
    if (n === null) return null;
    const items = this.#lines.push(this.#buffer.subarray(0, n));
    if (n === this.#buffer.length && n < BUSY_READ_BYTES) this.#buffer = new Uint8Array(n * 2);
    return items;
  }

  endLines(): LineItem[] {
    return this.#lines.end();
  }

  write(bytes: Uint8Array): Promise<number> {
    return this.conn.write(bytes);
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** Plain TCP (`nc`): no handshake. `peer`: the client a trusted proxy named, when one did. */
export function plainTransport(conn: Deno.Conn, maxLine: number, peer?: ProxiedPeer): LineTransport {
  return new ConnTransport(conn, maxLine, undefined, peer);
}

/** TLS: the handshake is done before the greeting, so a client that cannot speak TLS fails there. */
export function tlsTransport(conn: Deno.TlsConn, maxLine: number): LineTransport {
  return new ConnTransport(conn, maxLine, () => conn.handshake());
}

/** How a listener's connections become transports: {@link plainTransport} or {@link tlsTransport}. */
export type TransportFactory = (conn: Deno.Conn, maxLine: number, peer?: ProxiedPeer) => LineTransport;
