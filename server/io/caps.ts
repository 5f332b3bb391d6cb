/**
 * Connection limits per remote address and in all. The server keeps one instance for both doors: every
 * TCP socket and every HTTP connection holds a {@link Slot} from its remote address from accept to close,
 * so `--max-connections` bounds the sockets (and descriptors) clients can hold, whatever door they use.
 * A name held without a connection of its own (a web session before its first stream, or in its grace
 * period after its last) holds a slot from its address too ({@link ConnectionCaps.hold}): it counts
 * against `--max-per-address` with the address's connections, so the names one address holds (its TCP
 * members, its web members with a stream, and these) never exceed it, but not against the total of
 * connections, since it holds no socket. Names held so are bounded in all by the same number, apart.
 *
 * @example
 * ```ts
 * const caps = new ConnectionCaps({ maxPerAddress: 16, maxConnections: 10_000, exempt: "loopback" });
 * const refusal = caps.refusal("203.0.113.7"); // undefined: it may come in
 * const slot = caps.take("203.0.113.7");
 * slot.release(); // when the socket closes
 * caps.nameRefusal("203.0.113.7"); // undefined: it may hold one more name
 * const name = caps.hold("203.0.113.7"); // a web session between its streams
 * name.release(); // its stream opened: the stream's connection counts instead
 * ```
 */

import type { TrustedProxies } from "../net/trusted_proxies.ts";

export interface CapsOptions {
  maxPerAddress: number;
  maxConnections: number;
  /** "loopback": loopback addresses are not limited per address; "none": every address is. */
  exempt: string;
  /**
   * Trusted proxies (--trust-proxy), for the doors that learn the client from them: there a proxy's own
   * connection counts in all but not against its address, which stands for many clients
   * ({@link ConnectionCaps.proxyRefusal}), and each client is counted by its own address
   * ({@link ConnectionCaps.forward}). Anywhere else a proxy's address is an address like any other.
   */
  proxies?: TrustedProxies;
}

/** Why a new connection is refused: too many from its address, or too many in all. */
export interface Refusal {
  kind: "address" | "full";
  error: string;
}

/** What a refusal says, given the limit that was reached. */
export interface CapsMessages {
  address(max: number): string;
  full(max: number): string;
}

/** One counted connection, or name held without one. Releasing it twice counts once. */
export interface Slot {
  readonly address: string;
  readonly kind: "connection" | "name" | "forwarded";
  readonly released: boolean;
  release(): void;
}

/**
 * Refused sockets that may stay open at once while their one-line answer goes out. Past this a flood
 * would hold a descriptor per refused socket for as long as its answer takes, so the rest are closed
 * unanswered. Part of the descriptor reserve (see fd_limit.ts).
 */
export const MAX_REFUSING = 32;

const CONNECTIONS: CapsMessages = {
  address: (max) => `too many connections from your address (max ${max})`,
  full: (max) => `server full (max ${max} connections), try again later`,
};

/** What a refused name says (see {@link ConnectionCaps.nameRefusal}). */
export const NAMES: CapsMessages = {
  address: (max) => `too many names and connections from your address (max ${max})`,
  full: (max) => `too many names held without a connection (max ${max}), try again later`,
};

export class ConnectionCaps {
  /** Connections and names held, per address. */
  #perAddress = new Map<string, number>();
  /** Connections in all. */
  #total = 0;
  /** Names held without a connection, in all. */
  #names = 0;
  #refusing = 0;

  constructor(readonly options: CapsOptions, readonly messages: CapsMessages = CONNECTIONS) {}

  /** Connections counted now, in all. */
  get total(): number {
    return this.#total;
  }

  /** Names held without a connection now, in all. */
  get names(): number {
    return this.#names;
  }

  /**
   * Why one more connection from `address` is refused, or undefined if it may come in. A live `replacing`
   * slot is one the new connection takes over, so it is not counted against it.
   */
  refusal(address: string, replacing?: Slot): Refusal | undefined {
    return this.#refusal(address, replacing, "connection", this.messages);
  }

  /**
   * Why one more name held from `address` without a connection is refused, or undefined if it may be held.
   * A live `replacing` slot is one the name takes over (a sign-in renaming itself), so it is not counted.
   */
  nameRefusal(address: string, replacing?: Slot, messages: CapsMessages = NAMES): Refusal | undefined {
    return this.#refusal(address, replacing, "name", messages);
  }

  /**
   * Why one more connection from a trusted proxy, on a door that learns the client from it, is refused: only
   * when the server is full, since the proxy's address stands for many clients.
   */
  proxyRefusal(): Refusal | undefined {
    const { maxConnections } = this.options;
    if (this.#total >= maxConnections) return { kind: "full", error: this.messages.full(maxConnections) };
    return undefined;
  }

  /**
   * Why a stream for the client at `address`, come through a trusted proxy, is refused, or undefined: only
   * the client's own limit applies, since the proxy's connection it rides on is counted in all already.
   */
  forwardRefusal(address: string): Refusal | undefined {
    return this.#refusal(address, undefined, "forwarded", this.messages);
  }

  #refusal(
    address: string,
    replacing: Slot | undefined,
    kind: Slot["kind"],
    messages: CapsMessages,
  ): Refusal | undefined {
    const credit = replacing && !replacing.released ? 1 : 0;
    const { maxConnections, maxPerAddress, exempt } = this.options;
    const inAll = kind === "connection" ? this.#total : kind === "name" ? this.#names : 0;
    if (inAll - (replacing?.kind === kind ? credit : 0) >= maxConnections) {
      return { kind: "full", error: messages.full(maxConnections) };
    }
    if (exempt === "loopback" && isLoopback(address)) return undefined;
    const sameAddress = replacing?.address === address ? credit : 0;
    if ((this.#perAddress.get(address) ?? 0) - sameAddress >= maxPerAddress) {
      return { kind: "address", error: messages.address(maxPerAddress) };
    }
    return undefined;
  }

  /** Counts one connection from `address` (check {@link ConnectionCaps.refusal} first). */
  take(address: string): Slot {
    this.#total++;
    return this.#slot(address, "connection", () => this.#total--);
  }

  /**
   * Counts one name held from `address` without a connection (check {@link ConnectionCaps.nameRefusal}
   * first, when there is a choice): against the address's limit, not against the connections in all.
   */
  hold(address: string): Slot {
    this.#names++;
    return this.#slot(address, "name", () => this.#names--);
  }

  /**
   * Counts a stream served through a trusted proxy against its client's `address` (check
   * {@link ConnectionCaps.forwardRefusal} first), not in all: the proxy's connection is counted there.
   */
  forward(address: string): Slot {
    return this.#slot(address, "forwarded", () => {});
  }

  #slot(address: string, kind: Slot["kind"], uncount: () => void): Slot {
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    let released = false;
    return {
      address,
      kind,
      get released() {
        return released;
      },
      release: () => {
        if (released) return;
        released = true;
        uncount();
        const count = (this.#perAddress.get(address) ?? 1) - 1;
        if (count === 0) this.#perAddress.delete(address);
        else this.#perAddress.set(address, count);
      },
    };
  }

  /**
   * A refused socket is about to be answered: a function to call once it is closed, or undefined when
   * {@link MAX_REFUSING} are already open and this one must be closed at once, unanswered.
   */
  answering(): (() => void) | undefined {
    if (this.#refusing >= MAX_REFUSING) return undefined;
    this.#refusing++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#refusing--;
    };
  }
}

/** IPv4 loopback (also IPv4-mapped) and `::1`. */
export function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address.toLowerCase().startsWith("::ffff:127.");
}
