/**
 * The TCP door: accepts sockets, enforces the connection limits, and runs one {@link Connection} per
 * socket. What each connection reads comes from the room; the door only shares one line cache, so each
 * event is rendered and encoded once for all of them.
 *
 * @example
 * ```ts
 * const door = new TcpDoor(room, { hostname: "127.0.0.1", port: 0, ...limits });
 * console.log(`tcp listening on ${door.address}`);
 * await door.shutdown(); // tells everyone, flushes, closes
 * ```
 */
import { type CapsOptions, ConnectionCaps, type Slot } from "../io/caps.ts";
import { within } from "../io/deadline.ts";
import { Flusher } from "../io/flusher.ts";
import type { Room } from "../room/room.ts";
import { Connection, type ConnectionHost, type ConnectionOptions } from "./connection.ts";
import { LineCache } from "./render.ts";

export interface TcpDoorOptions extends ConnectionOptions, CapsOptions {
  hostname: string;
  port: number;
  /** Told of each accept error (e.g. out of file descriptors) before the door backs off and tries again. */
  onAcceptError?: (error: unknown) => void;
}

const encoder = new TextEncoder();
const SHUTDOWN_FLUSH_MS = 500;
/** Pause after an unexpected accept error (e.g. EMFILE), so the loop does not spin. */
const ACCEPT_RETRY_MS = 100;
export const SHUTDOWN_LINE = "* server shutting down";

export class TcpDoor implements ConnectionHost {
  readonly lines = new LineCache();
  #listener: Deno.TcpListener;
  /** Every open connection, with the slot it holds in the connection limits. */
  #connections = new Map<Connection, Slot>();
  #caps: ConnectionCaps;
  #accepting: Promise<void>;

  /** `caps`: the connection limits, shared with the web door when both run. */
  constructor(
    readonly room: Room,
    readonly options: TcpDoorOptions,
    readonly flusher: Flusher = new Flusher(),
    caps: ConnectionCaps = new ConnectionCaps(options),
  ) {
    this.#caps = caps;
    this.#listener = Deno.listen({ hostname: options.hostname, port: options.port, transport: "tcp" });
    this.#accepting = this.#accept();
  }

  /** `host:port` actually bound (useful with port 0). */
  get address(): string {
    const { hostname, port } = this.#listener.addr;
    return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
  }

  forget(connection: Connection): void {
    this.#connections.get(connection)?.release();
    this.#connections.delete(connection);
  }

  /** Stops accepting, tells everyone connected, gives their sockets a moment to flush, and closes them. */
  async shutdown(): Promise<void> {
    this.#listener.close();
    await this.#accepting;
    const connections = [...this.#connections.keys()];
    await within(Promise.all(connections.map((connection) => connection.closeWith(SHUTDOWN_LINE))), SHUTDOWN_FLUSH_MS);
    for (const connection of connections) connection.close();
  }

  async #accept(): Promise<void> {
    let failing = false;
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) return;
        // A client that reset before we accepted it is routine, not a server error.
        if (
          error instanceof Deno.errors.NotConnected ||
          error instanceof Deno.errors.ConnectionReset ||
          error instanceof Deno.errors.ConnectionAborted
        ) continue;
        // One line per episode: out of descriptors, this would otherwise print ten lines a second.
        if (!failing) console.error(`tcp accept failed, retrying every ${ACCEPT_RETRY_MS} ms: ${error}`);
        failing = true;
        this.options.onAcceptError?.(error);
        // e.g. out of file descriptors: give connections time to close instead of spinning on accept.
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      if (failing) console.error("tcp accept works again");
      failing = false;
      const address = conn.remoteAddr.hostname;
      const refusal = this.#caps.refusal(address);
      if (refusal) {
        refuse(conn, `! ${refusal.error}`, this.#caps.answering());
        continue;
      }
      // Chat lines are small and latency-bound: Nagle plus a peer's delayed ACK would hold them ~40 ms.
      // Coalescing is already done per round by the flusher.
      try {
        conn.setNoDelay(true);
      } catch {
        // reset before we got here: the connection's first read will say so
      }
      const connection = new Connection(conn, this);
      this.#connections.set(connection, this.#caps.take(address));
      connection.run().catch((error) => console.error("tcp connection failed:", error));
    }
  }
}

/** Answers a refused connection with one line and closes it; unanswered when `answered` is undefined. */
function refuse(conn: Deno.Conn, line: string, answered: (() => void) | undefined): void {
  const close = () => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  if (!answered) return close();
  conn.write(encoder.encode(line + "\n")).catch(() => {}).finally(() => {
    close();
    answered();
  });
}
