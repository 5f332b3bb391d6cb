/**
 * Member names: validation and the case-folded key used for uniqueness.
 *
 * A name is 1–32 characters after trimming and NFKC normalization: Unicode letters (with their
 * combining marks), digits, `_`, `-` and `.`. Two names are the same when their folded keys are equal.
 *
 * @example
 * ```ts
 * checkName("  Ana "); // { ok: true, name: "Ana", key: "ana" }
 * checkName("a b");    // { ok: false, error: "a name may contain only letters, digits, _ - and ." }
 * ```
 */

export const MAX_NAME_LENGTH = 32;
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "server",
  "system",
]);

// A combining mark may follow a character but not start a name (it would sit on the text before it).
const NAME = /^[\p{L}\p{N}_.-][\p{L}\p{M}\p{N}_.-]*$/u;

export type NameCheck = { ok: true; name: string; key: string } | {
  ok: false;
  error: string;
};

/** The key two names are compared by: NFKC, then case-folded. */
export function nameKey(name: string): string {
  // Upper then lower case approximates Unicode full case folding, which toLowerCase alone misses:
  // "Straße" and "STRASSE" fold to "strasse", a final "ς" and "σ" to the same sigma.
  return name.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

/** Validates a proposed name; uniqueness is the room's business. */
export function checkName(input: string): NameCheck {
  const name = input.normalize("NFKC").trim();
  const length = [...name].length;
  if (length === 0) return { ok: false, error: "a name must not be empty" };
  if (length > MAX_NAME_LENGTH) {
    return {
      ok: false,
      error: `a name may be at most ${MAX_NAME_LENGTH} characters`,
    };
  }
  if (!NAME.test(name)) {
    return {
      ok: false,
      error: "a name may contain only letters, digits, _ - and .",
    };
  }
  const key = nameKey(name);
  if (RESERVED_NAMES.has(key)) {
    return { ok: false, error: `the name "${name}" is reserved` };
  }
  return { ok: true, name, key };
}
