/** Joins chunks into one buffer of `size` bytes (their total length, by default counted here). */
export function concat(
  parts: Uint8Array[],
  size = parts.reduce((sum, part) => sum + part.length, 0),
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * How many of `texts`, taken in order, fit in `budget` bytes of UTF-8 when each one costs `extra` bytes
 * more (its newline, its separating comma): how much history or how many names a frame may carry.
 *
 * @example
 * ```ts
 * countWithin(["ab", "cd", "ef"], 6, 1); // 2: "ab\ncd\n" is 6 bytes
 * ```
 */
export function countWithin(texts: readonly string[], budget: number, extra: number): number {
  let used = 0;
  for (let i = 0; i < texts.length; i++) {
    used += encoder.encode(texts[i]).length + extra;
    if (used > budget) return i;
  }
  return texts.length;
}
