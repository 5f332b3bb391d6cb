/**
 * Connection limits per remote address and in all, one instance per door (each door counts its own): a TCP
 * socket; for the web, an open SSE stream or a sign-in that has not opened its first stream yet (so one
 * address cannot squat names). Each connection holds a {@link Slot} from its remote address until it ends.
 *
 * @example
 * ```ts
 * const caps = new ConnectionCaps({ maxPerAddress: 16, maxConnections: 10_000, exempt: "loopback" });
 * const refusal = caps.refusal("203.0.113.7");
 * if (refusal) return c.json({ error: refusal.error }, refusal.kind === "address" ? 429 : 503);
 * const slot = caps.take("203.0.113.7");
 * slot.release(); // when the stream closes
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

/** One counted connection. Releasing it twice counts once. */
export interface Slot {
  readonly address: string;
  readonly released: boolean;
  release(): void;
}

export class ConnectionCaps {
  #perAddress = new Map<string, number>();
  #total = 0;

  constructor(readonly options: CapsOptions) {}

  /** Connections counted now, in all. */
  get total(): number {
    return this.#total;
  }

  /**
   * Why one more connection from `address` is refused, or undefined if it may come in. A live `replacing`
   * slot is one the new connection takes over (a sign-in's first stream), so it is not counted against it.
   */
  refusal(address: string, replacing?: Slot): Refusal | undefined {
    const credit = replacing && !replacing.released ? 1 : 0;
    const { maxConnections, maxPerAddress, exempt } = this.options;
    if (this.#total - credit >= maxConnections) {
      return { kind: "full", error: `server full (max ${maxConnections} connections), try again later` };
    }
    if (exempt === "loopback" && isLoopback(address)) return undefined;
    const sameAddress = replacing?.address === address ? credit : 0;
    if ((this.#perAddress.get(address) ?? 0) - sameAddress >= maxPerAddress) {
      return { kind: "address", error: `too many connections from your address (max ${maxPerAddress})` };
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
}

/** IPv4 loopback (also IPv4-mapped) and `::1`. */
export function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address.toLowerCase().startsWith("::ffff:127.");
}
