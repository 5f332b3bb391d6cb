/**
 * A token bucket: `burst` lines at once, then `rate` lines per second.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(10, 5);
 * bucket.take(); // 0: allowed; otherwise the milliseconds to wait before trying again
 * ```
 */
/** One clock for every bucket: a bound function per bucket cost each member ~70 bytes. */
const monotonicNow = () => performance.now();

export class TokenBucket {
  #tokens: number;
  #updated: number;

  constructor(
    readonly burst: number,
    readonly rate: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.#tokens = burst;
    this.#updated = now();
  }

  /** Takes one token and returns 0, or takes nothing and returns how many ms until one is available. */
  take(): number {
    const now = this.now();
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + ((now - this.#updated) / 1000) * this.rate,
    );
    this.#updated = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    if (this.rate <= 0) return Infinity;
    return Math.ceil(((1 - this.#tokens) / this.rate) * 1000);
  }
}
