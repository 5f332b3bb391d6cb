/**
 * The TCP door's TLS port: the same protocol, limits and room as the plain port, over TLS
 * (`openssl s_client -quiet -connect host:60001`). {@link TlsPort.reload} (SIGHUP) reads the certificate
 * files again and serves new connections with them; the connections already in stay as they are.
 *
 * Reloading closes the listener and binds a new one to the same port: Deno cannot change a listener's
 * certificate. Re-binding succeeds at once (the listening socket is closed, not in TIME_WAIT; established
 * connections do not hold the port) and took 0.4–5 ms in a test of 20 reloads, most of it parsing the key:
 * a client connecting in that gap is refused and retries.
 *
 * @example
 * ```ts
 * import type { TcpDoor } from "./door.ts";
 * import { TlsPort } from "./tls_port.ts";
 * export function serveTls(door: TcpDoor, certFile: string, keyFile: string): void {
 *   const tls = new TlsPort(door, { hostname: "127.0.0.1", port: 60001, certFile, keyFile });
 *   console.log(`tls listening on ${tls.address}`);
 *   Deno.addSignalListener("SIGHUP", () => void tls.reload()); // false, and the old files stay, if unusable
 * }
 * ```
 */
import { tlsTransport, type TransportFactory } from "./transport.ts";
import { loadTlsFiles, type TlsFiles, type TlsPair } from "../io/tls_files.ts";
import { errorFields, log } from "../ops/log.ts";
import type { PortLabel } from "../../common/doors.ts";
import { addressOf, type LineDoor } from "./door.ts";

export interface TlsPortOptions extends TlsFiles {
  port: number;
}

/** A TLS listener's connections are TLS connections. */
const TLS: TransportFactory = (conn, maxLine) => tlsTransport(conn as Deno.TlsConn, maxLine);

export class TlsPort {
  #listener: Deno.TlsListener;
  #port: number;

  /** Opens the port with `pair` (read from the files if not given); throws a one-line TlsError when they cannot be used. */
  constructor(
    // deno-lint-ignore no-explicit-any
    private readonly door: LineDoor<any, any>,
    private readonly options: TlsPortOptions,
    pair: TlsPair = loadTlsFiles(options),
    /** How logs and metrics name the port: the TCP door's `tls`, or the IRC door's `ircs`. */
    private readonly label: PortLabel = "tls",
  ) {
    this.#listener = this.#open(options.port, pair);
    // Port 0 asked for any free port: reloads keep the one it got.
    this.#port = this.#listener.addr.port;
    door.listen(this.#listener, label, TLS);
  }

  get address(): string {
    return addressOf(this.#listener);
  }

  /**
   * Reads the files again; if they can be used, new connections get them. If not, the old ones stay in
   * use and the reason is logged. Resolves to whether the new files were taken.
   */
  async reload(): Promise<boolean> {
    let pair: TlsPair;
    try {
      pair = loadTlsFiles(this.options);
    } catch (error) {
      log.error("tls.reload_refused", { ...errorFields(error), kept: "the certificate in use" });
      return false;
    }
    const started = performance.now();
    await this.door.unlisten(this.#listener);
    try {
      this.#listener = this.#open(this.#port, pair);
    } catch (error) {
      // Someone took the port in the gap: TLS clients are refused until the next SIGHUP.
      log.error("tls.rebind_error", { port: this.#port, ...errorFields(error) });
      return false;
    }
    this.door.listen(this.#listener, this.label, TLS);
    log.info("tls.reloaded", { cert: this.options.certFile, ms: Math.round((performance.now() - started) * 10) / 10 });
    return true;
  }

  #open(port: number, { cert, key }: TlsPair): Deno.TlsListener {
    return Deno.listenTls({ hostname: this.options.hostname, port, cert, key });
  }
}
