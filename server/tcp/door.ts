/**
 * The TCP door: accepts sockets from its listeners (the plain port, and the TLS port when there is one),
 * enforces the connection limits across them, and runs one {@link Connection} per socket. What each
 * connection reads comes from the room; the door only shares one line cache, so each event is rendered
 * and encoded once for all of them.
 *
 * @example
 * ```ts
 * import type { Room } from "../room/room.ts";
 * import { TcpDoor } from "./door.ts";
 * export async function serveTcp(room: Room): Promise<void> {
 *   const door = new TcpDoor(room, {
 *     maxLine: 2048, sendq: 262_144, history: 20, registrationTimeoutMs: 60_000,
 *     maxPerAddress: 16, maxConnections: 10_000, exempt: "loopback",
 *   });
 *   const address = door.listen(Deno.listen({ hostname: "127.0.0.1", port: 60000 }), "tcp");
 *   console.log(`tcp listening on ${address}`);
 *   await door.shutdown(); // tells everyone, flushes, closes
 * }
 * ```
 */
import { type LineTransport, plainTransport, type ProxiedPeer, type TransportFactory } from "./transport.ts";
import { type CapsOptions, ConnectionCaps, type Refusal, type Slot } from "../io/caps.ts";
import { readProxyHeader } from "../net/proxy_protocol.ts";
import { within } from "../async/deadline.ts";
import { Flusher } from "../io/flusher.ts";
import { Counters } from "../ops/counters.ts";
import { errorFields, log } from "../ops/log.ts";
import type { Room } from "../room/room.ts";
import type { PortLabel } from "../../common/doors.ts";
import { Connection, type ConnectionHost, type ConnectionOptions, type TcpLabel } from "./connection.ts";
import { LineCache } from "./render.ts";

/** What a line door's accept loop needs: options for the limits, the proxy header, and the line size. */
export interface LineDoorOptions extends CapsOptions {
  /** The longest line a connection's transport reads. */
  maxLine: number;
  /** Told of each accept error (e.g. out of file descriptors) before the door backs off and tries again. */
  onAcceptError?: (error: unknown) => void;
  /**
   * Connections to the plain port from {@link CapsOptions.proxies} begin with a PROXY protocol header naming
   * the client (--proxy-protocol); anyone else is a direct client, whatever it sends.
   */
  proxyProtocol?: boolean;
  /** How long a proxy's header may take before its connection is closed (--header-timeout). */
  headerTimeoutMs?: number;
}

export interface TcpDoorOptions extends ConnectionOptions, LineDoorOptions {}

/** What a line door runs per socket: served until it ends; told to go when the server shuts down. */
export interface DoorConnection {
  run(): Promise<void>;
  close(): void;
}

/** Ports whose connections may begin with a PROXY protocol header (the plain ones). */
const PROXIED_LABELS: ReadonlySet<PortLabel> = new Set(["tcp", "irc"]);

const encoder = new TextEncoder();
const SHUTDOWN_FLUSH_MS = 500;
const DEFAULT_HEADER_TIMEOUT_MS = 30_000;
const NOTHING = new Uint8Array(0);
/** Pause after an unexpected accept error (e.g. EMFILE), so the loop does not spin. */
const ACCEPT_RETRY_MS = 100;
export const SHUTDOWN_LINE = "* server shutting down";

/** `host:port` of a listener, with brackets around an IPv6 host. */
export function addressOf(listener: Deno.Listener): string {
  const { hostname, port } = listener.addr as Deno.NetAddr;
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/**
 * The accept loop every line door shares (TCP, IRC): listeners, the connection limits (shared with the other
 * doors), PROXY headers from trusted proxies, refusals; one connection of the door's kind per socket.
 */
export abstract class LineDoor<C extends DoorConnection, L extends PortLabel = PortLabel> {
  /** Every listener, with its accept loop. */
  #listeners = new Map<Deno.Listener, Promise<void>>();
  /** Every open connection, with the slot it holds in the connection limits. */
  #connections = new Map<C, Slot>();
  #caps: ConnectionCaps;
  /** Trusted proxies' connections whose PROXY header is still on its way: closed at shutdown too. */
  #awaitingHeader = new Set<Deno.Conn>();
  #closing = false;

  constructor(
    readonly room: Room,
    readonly options: LineDoorOptions,
    readonly flusher: Flusher,
    caps: ConnectionCaps,
    readonly counters: Counters,
  ) {
    this.#caps = caps;
  }

  /** A new connection of this door over `transport`, counted as `label`. */
  protected abstract connect(transport: LineTransport, label: L): C;
  /** The line a refused client is told (e.g. `! too many connections`). */
  protected abstract refusalLine(error: string): string;
  /** Tells a connection the server is going away, and gives it a moment to go out. */
  protected abstract goodbye(connection: C): Promise<void>;

  /** Accepts connections from `listener` (counted and logged as `label`) until it is closed; returns its address. */
  listen(listener: Deno.Listener, label: L, transport: TransportFactory = plainTransport): string {
    this.#listeners.set(listener, this.#accept(listener, label, transport));
    return addressOf(listener);
  }

  /** Closes `listener` and waits until its accept loop has ended; the connections it let in stay. */
  async unlisten(listener: Deno.Listener): Promise<void> {
    const accepting = this.#listeners.get(listener);
    this.#listeners.delete(listener);
    try {
      listener.close();
    } catch {
      // already closed
    }
    await accepting;
  }

  forget(connection: C): void {
    this.#connections.get(connection)?.release();
    this.#connections.delete(connection);
  }

  /** Stops accepting, tells everyone connected, gives their sockets a moment to flush, and closes them. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#listeners.keys()].map((listener) => this.unlisten(listener)));
    for (const conn of this.#awaitingHeader) close(conn);
    const connections = [...this.#connections.keys()];
    await within(Promise.all(connections.map((connection) => this.goodbye(connection))), SHUTDOWN_FLUSH_MS);
    for (const connection of connections) connection.close();
  }

  async #accept(listener: Deno.Listener, label: L, transport: TransportFactory): Promise<void> {
    let failing = false;
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) return;
        // A client that reset before we accepted it is routine, not a server error.
        if (
          error instanceof Deno.errors.NotConnected ||
          error instanceof Deno.errors.ConnectionReset ||
          error instanceof Deno.errors.ConnectionAborted
        ) continue;
        // One line per episode: out of descriptors, this would otherwise log ten lines a second.
        if (!failing) log.error(`${label}.accept_error`, { ...errorFields(error), retry_ms: ACCEPT_RETRY_MS });
        failing = true;
        this.options.onAcceptError?.(error);
        // e.g. out of file descriptors: give connections time to close instead of spinning on accept.
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      if (failing) log.info(`${label}.accept_recovered`);
      failing = false;
      const { hostname: address, port } = conn.remoteAddr as Deno.NetAddr;
      if (PROXIED_LABELS.has(label) && this.options.proxyProtocol && this.options.proxies?.trusts(address)) {
        // Off the accept loop: one proxy connection slow to send its header must not hold up the rest.
        this.#acceptProxied(conn, address, port, label, transport)
          .catch((error) => log.error(`${label}.connection_error`, errorFields(error, true)));
        continue;
      }
      this.#admit(conn, { address, port, first: NOTHING }, label, transport, false);
    }
  }

  /**
   * A trusted proxy's connection: its PROXY header, within the header timeout, names the client, who is
   * then admitted as if it had come directly. Until then the connection counts in all under the proxy's
   * address (which no per-address limit applies to).
   */
  async #acceptProxied(
    conn: Deno.Conn,
    address: string,
    port: number,
    label: L,
    transport: TransportFactory,
  ): Promise<void> {
    const refusal = this.#caps.proxyRefusal();
    if (refusal) return this.#refuse(conn, address, port, label, refusal);
    const waiting = this.#caps.take(address);
    this.#awaitingHeader.add(conn);
    const timer = setTimeout(() => close(conn), this.options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS);
    let read: Awaited<ReturnType<typeof readProxyHeader>>;
    try {
      read = await readProxyHeader((buffer) => conn.read(buffer));
    } catch {
      read = { header: { state: "invalid", reason: "no header within --header-timeout" }, rest: NOTHING };
    } finally {
      clearTimeout(timer);
      waiting.release();
      this.#awaitingHeader.delete(conn);
    }
    const { header, rest } = read;
    if (this.#closing) return close(conn);
    if (header.state === "invalid") {
      log.warn(`${label}.proxy_header_refused`, { address, port, reason: header.reason });
      return close(conn);
    }
    const client = header.state === "proxy" ? header.source : { address, port };
    this.#admit(conn, { ...client, first: rest }, label, transport, true);
  }

  /** Lets `peer` in, or refuses it when a limit says so. */
  #admit(conn: Deno.Conn, peer: ProxiedPeer, label: L, transport: TransportFactory, proxied: boolean): void {
    if (this.#closing) return close(conn);
    const { address, port } = peer;
    const refusal = this.#caps.refusal(address);
    if (refusal) return this.#refuse(conn, address, port, label, refusal);
    // Chat lines are small and latency-bound: Nagle plus a peer's delayed ACK would hold them ~40 ms.
    // Coalescing is already done per round by the flusher.
    try {
      (conn as Deno.TcpConn).setNoDelay?.(true);
    } catch {
      // reset before we got here: the connection's first read will say so
    }
    const connection = this.connect(transport(conn, this.options.maxLine, proxied ? peer : undefined), label);
    this.#connections.set(connection, this.#caps.take(address));
    connection.run().catch((error) => log.error(`${label}.connection_error`, errorFields(error, true)));
  }

  #refuse(conn: Deno.Conn, address: string, port: number, label: L, refusal: Refusal): void {
    this.counters[label].refused[refusal.kind]++;
    log.warn(`${label}.refuse`, { address, port, reason: refusal.kind });
    refuse(conn, this.refusalLine(refusal.error), this.#caps.answering());
  }
}

export class TcpDoor extends LineDoor<Connection, TcpLabel> implements ConnectionHost {
  readonly lines = new LineCache();
  declare readonly options: TcpDoorOptions;

  /** `caps`: the connection limits, shared with the web door when both run. */
  constructor(
    room: Room,
    options: TcpDoorOptions,
    flusher: Flusher = new Flusher(),
    caps: ConnectionCaps = new ConnectionCaps(options),
    counters: Counters = new Counters(),
  ) {
    super(room, options, flusher, caps, counters);
  }

  protected connect(transport: LineTransport, label: TcpLabel): Connection {
    return new Connection(transport, this, label);
  }

  protected refusalLine(error: string): string {
    return `! ${error}`;
  }

  protected goodbye(connection: Connection): Promise<void> {
    return connection.closeWith(SHUTDOWN_LINE);
  }
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** Answers a refused connection with one line and closes it; unanswered when `answered` is undefined. */
function refuse(conn: Deno.Conn, line: string, answered: (() => void) | undefined): void {
  if (!answered) return close(conn);
  conn.write(encoder.encode(line + "\n")).catch(() => {}).finally(() => {
    close(conn);
    answered();
  });
}
