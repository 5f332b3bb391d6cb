/**
 * The UTS #39 confusable skeleton (§4): two strings that look alike have the same skeleton.
 *
 * `skeleton(X)` = NFD(map each code point of NFD(X), less its Default_Ignorable code points, through
 * confusables.txt). The table is Unicode's own confusables.txt (version 13.0) as the npm package
 * `unhomoglyph` ships it, whole: 6,311 single code points, each mapped to its prototype. A skeleton is a
 * comparison key, not text to show: `m` becomes `rn`, `0` becomes `O`, `1` and `I` become `l`.
 *
 * @example
 * ```ts
 * import { skeleton } from "./skeleton.ts";
 * skeleton("\u0410na") === skeleton("Ana"); // true: Cyrillic А looks like Latin A
 * ```
 */
import confusables from "unhomoglyph/data.json" with { type: "json" };

// Keys are single code points, so no key can meet an Object.prototype property name.
const PROTOTYPES: Readonly<Record<string, string | undefined>> = confusables;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/** The skeleton of `text`: equal skeletons mean the strings can be mistaken for each other. */
export function skeleton(text: string): string {
  let mapped = "";
  for (const char of text.normalize("NFD").replace(IGNORABLE, "")) mapped += PROTOTYPES[char] ?? char;
  return mapped.normalize("NFD");
}
