/**
 * Keeps a node:http server accepting. Under Deno 2.9.6 a node:http server whose accept fails once with
 * EMFILE (out of file descriptors) never accepts again, and says nothing: no 'error' event, one `accept4`
 * returning EMFILE and then none (strace), while the connections it has carry on. Closing its listening
 * socket and listening again on the same port brings it back.
 *
 * The watch proves the server accepts by connecting to it: a connection must arrive within
 * {@link PROBE_TIMEOUT_MS} of the probe's, twice in a row before the server is taken for deaf (a blocked
 * event loop delays both alike), and then it listens again. It probes when no connection arrived for
 * {@link PROBE_INTERVAL_MS} (a busy server proves itself), and soon after {@link AcceptWatch.check} (e.g.
 * the TCP door's accept failed: descriptors ran out).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { AcceptWatch } from "./accept_watch.ts";
 * const server = createServer();
 * const watch = new AcceptWatch(server, { host: "127.0.0.1", port: 8000 });
 * server.prependListener("connection", () => watch.arrived());
 * watch.check(); // probe soon, whatever arrived
 * watch.stop();
 * ```
 */
import type { Server } from "node:http";
import { connect, type Socket } from "node:net";
import { WEB_ACCEPT_BACKLOG } from "../io/fd_limit.ts";
import { errorFields, log } from "../ops/log.ts";

export const PROBE_INTERVAL_MS = 5000;
export const PROBE_TIMEOUT_MS = 2000;
/** {@link AcceptWatch.check} probes at most this often (the TCP door asks every time its accept fails). */
const CHECK_EVERY_MS = 1000;

export interface WatchOptions {
  /** Where the server listens (the probe connects there; a wildcard is probed through loopback). */
  host: string;
  port: number;
}

export class AcceptWatch {
  #arrivals = 0;
  #lastArrivals = 0;
  /** Resolves the probe in flight, if any, at the next arrival. */
  #waiting: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #probing = false;
  #lastProbe = -Infinity;
  #stopped = false;

  constructor(readonly server: Server, readonly options: WatchOptions) {
    this.#schedule(PROBE_INTERVAL_MS);
  }

  /** A connection was accepted (call from the server's 'connection' event). */
  arrived(): void {
    this.#arrivals++;
    this.#waiting?.();
  }

  /** Probes soon, whether connections arrive or not. */
  check(): void {
    if (this.#probing || this.#stopped) return;
    this.#schedule(Math.max(0, this.#lastProbe + CHECK_EVERY_MS - performance.now()), true);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number, asked = false): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#tick(asked), ms);
    Deno.unrefTimer(this.#timer);
  }

  async #tick(asked: boolean): Promise<void> {
    const busy = this.#arrivals !== this.#lastArrivals;
    if (!busy || asked) {
      this.#probing = true;
      this.#lastProbe = performance.now();
      try {
        if (!await this.#accepts() && !this.#stopped && !await this.#accepts()) await this.#listenAgain();
      } finally {
        this.#probing = false;
      }
    }
    this.#lastArrivals = this.#arrivals;
    this.#schedule(PROBE_INTERVAL_MS);
  }

  /**
   * Whether a connection arrives within the timeout of a probe's. True also when the probe cannot even be
   * made for want of descriptors: the server cannot be judged then, and the next probe will tell.
   */
  #accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      let socket: Socket;
      try {
        socket = connect({ host: probeHost(this.options.host), port: this.options.port });
      } catch {
        return resolve(true);
      }
      const done = (accepts: boolean) => {
        clearTimeout(timer);
        this.#waiting = undefined;
        socket.destroy();
        resolve(accepts);
      };
      const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
      this.#waiting = () => done(true);
      socket.on("error", (error: Error & { code?: string }) => done(error.code !== "ECONNREFUSED"));
    });
  }

  async #listenAgain(): Promise<void> {
    const { host, port } = this.options;
    this.server.close();
    try {
      await listen(this.server, port, host);
      log.warn("web.accept_relisten", { port, why: "accept had stopped (out of file descriptors?)" });
    } catch (error) {
      log.error("web.accept_relisten_error", { port, ...errorFields(error), retry: "soon" });
    }
  }
}

/**
 * Starts `server` listening on `host`:`port`, with the accept queue the descriptor reserve counts
 * ({@link WEB_ACCEPT_BACKLOG}); rejects as listening fails (the port taken, say).
 */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, backlog: WEB_ACCEPT_BACKLOG }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** The address a probe connects to: the bound one, or loopback for a wildcard bind. */
function probeHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "::1";
  return host.replace(/^\[(.*)\]$/, "$1");
}
