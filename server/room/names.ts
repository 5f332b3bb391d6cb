/**
 * Member names: validation, and the key two names are compared by so that no two present names look alike.
 *
 * A name is 1–32 characters after trimming and NFKC normalization: Unicode letters (with their
 * combining marks), digits, `_`, `-` and `.`; no invisible ones (Default_Ignorable code points such as
 * U+034F or the variation selectors, and blank letters such as the Hangul fillers); one script, or a
 * mix UTS #39 calls highly restrictive (see scripts.ts), so `Аna` with a Cyrillic А is refused.
 *
 * The key is the UTS #39 skeleton (see skeleton.ts) of the case-folded name, folded and skeletonized
 * again until it stops changing (prototypes can be capitals: `0` → `O`). Names that fold alike or whose
 * folded forms look alike collide: `Ana` and `ANA`; all-Cyrillic `асе` and Latin `ace`; `m` and `rn`;
 * `l` and `1`; `O` and `0`. These stricter collisions are intended: where a name is all that says
 * who speaks, a refused look-alike costs a newcomer one more try, and a passed one lets them speak as
 * someone else. The data has no `5` → `s` nor `vv` → `w`, so `5ystem` is a name.
 *
 * The fold comes first, as usual for case-insensitive identifiers, so a capital that looks like another
 * lower-case letter counts as its own lower case: by the folded key `AIice` (capital I) would not collide
 * with `Alice`, nor all-capital Cyrillic `ТОМ` with `TOM`. One key cannot catch those too without merging
 * i with l, and n with v (Greek Ν looks like N, its ν like v), for everyone. So a name holds two keys
 * while in use, the folded one and {@link lookKey} (what it looks like as written), and a newcomer is
 * refused if either is held; reserved names are checked by both.
 *
 * @example
 * ```ts
 * checkName("  Ana "); // { ok: true, name: "Ana", key: "ana", keys: ["ana"] }
 * checkName("a b");    // { ok: false, error: "a name may contain only letters, digits, _ - and ." }
 * ```
 */
import { mixedScripts } from "./scripts.ts";
import { skeleton } from "./skeleton.ts";

export const MAX_NAME_LENGTH = 32;
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "server",
  "system",
]);

// A combining mark may follow a character but not start a name (it would sit on the text before it).
const NAME = /^[\p{L}\p{N}_.-][\p{L}\p{M}\p{N}_.-]*$/u;
// Default_Ignorable covers U+034F, the variation selectors, U+17B4/5 and the Hangul fillers; the rest
// render blank without being ignorable.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u2800\u{16FE4}\u{1D159}]/u;
// Folding and skeletonizing settle within three rounds for every code point; the bound is for safety.
const KEY_ROUNDS = 4;

export type NameCheck = {
  ok: true;
  name: string;
  /** The folded key (`/msg` finds members by it). */
  key: string;
  /** Every key the name holds while in use: the folded key and the look-as-written key, no two alike. */
  keys: string[];
} | {
  ok: false;
  error: string;
};

/** The key two names are compared by: NFKC, then case-folded and skeletonized until stable. */
export function nameKey(name: string): string {
  let key = name.normalize("NFKC");
  for (let round = 0; round < KEY_ROUNDS; round++) {
    // Upper then lower case approximates Unicode full case folding, which toLowerCase alone misses:
    // "Straße" and "STRASSE" fold to "strasse", a final "ς" and "σ" to the same sigma.
    const next = skeleton(key.toUpperCase().toLowerCase());
    if (next === key) break;
    key = next;
  }
  return key;
}

/** The key of what a name looks like as written, capitals and all: `AIice` and `Alice` share it. */
export function lookKey(name: string): string {
  return nameKey(skeleton(name.normalize("NFKC")));
}

const RESERVED_KEYS: ReadonlySet<string> = new Set([...RESERVED_NAMES].map(nameKey));

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
  if (INVISIBLE.test(name)) return { ok: false, error: "a name must not contain invisible characters" };
  const key = nameKey(name);
  if (RESERVED_KEYS.has(key) || RESERVED_KEYS.has(lookKey(name))) {
    return { ok: false, error: `the name "${name}" is reserved` };
  }
  const scripts = mixedScripts(name);
  if (scripts) return { ok: false, error: `a name may not mix scripts (${listed(scripts)})` };
  return { ok: true, name, key, keys: [...new Set([key, lookKey(name)])] };
}

function listed(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items.at(-1)}` : items.join("");
}
