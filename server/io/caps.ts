/**
 * Connection limits per remote address and in all. The server keeps one instance for both doors: every
 * TCP socket and every HTTP connection holds a {@link Slot} from its remote address from accept to close,
 * so `--max-connections` bounds the sockets (and descriptors) clients can hold, whatever door they use.
 * The web door keeps a second instance, with its own messages, for sign-ins that have not opened their
 * first stream yet (so one address cannot squat names over a single keep-alive connection).
 *
 * @example
 * ```ts
 * const caps = new ConnectionCaps({ maxPerAddress: 16, maxConnections: 10_000, exempt: "loopback" });
 * const refusal = caps.refusal("203.0.113.7"); // undefined: it may come in
 * const slot = caps.take("203.0.113.7");
 * slot.release(); // when the socket closes
 * ```
 */

export interface CapsOptions {
  maxPerAddress: number;
  maxConnections: number;
  /** "loopback": loopback addresses are not limited per address; "none": every address is. */
  exempt: string;
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

/** One counted connection. Releasing it twice counts once. */
export interface Slot {
  readonly address: string;
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

export class ConnectionCaps {
  #perAddress = new Map<string, number>();
  #total = 0;
  #refusing = 0;

  constructor(readonly options: CapsOptions, readonly messages: CapsMessages = CONNECTIONS) {}

  /** Connections counted now, in all. */
  get total(): number {
    return this.#total;
  }

  /**
   * Why one more connection from `address` is refused, or undefined if it may come in. A live `replacing`
   * slot is one the new connection takes over (a sign-in renaming itself), so it is not counted against it.
   */
  refusal(address: string, replacing?: Slot): Refusal | undefined {
    const credit = replacing && !replacing.released ? 1 : 0;
    const { maxConnections, maxPerAddress, exempt } = this.options;
    if (this.#total - credit >= maxConnections) return { kind: "full", error: this.messages.full(maxConnections) };
    if (exempt === "loopback" && isLoopback(address)) return undefined;
    const sameAddress = replacing?.address === address ? credit : 0;
    if ((this.#perAddress.get(address) ?? 0) - sameAddress >= maxPerAddress) {
      return { kind: "address", error: this.messages.address(maxPerAddress) };
    }
    return undefined;
  }

  /** Counts one connection from `address` (check {@link ConnectionCaps.refusal} first). */
  take(address: string): Slot {
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    this.#total++;
    let released = false;
    return {
      address,
      get released() {
        return released;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
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
