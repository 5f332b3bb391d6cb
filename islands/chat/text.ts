/**
 * A message's text as the page shows it: plain text, links and mentions of the reader, as parts the
 * component turns into Preact elements (never HTML from a string, so the strict CSP holds).
 *
 * Links: only `http://` and `https://` URLs, written in ASCII, with a plain host name (or an IP address) and no
 * user name or password in them. A URL runs up to a space, a quote, an angle bracket and the like (what
 * follows stays text); trailing punctuation and an unmatched closing bracket stay text too. Anything
 * doubtful stays text whole: a URL that runs into a letter outside ASCII (`https://exаmple.org` with a Cyrillic
 * `а`), an invisible or bidirectional character, a punycode host (`xn--…`, a look-alike spelt in ASCII), a
 * host without a dot. The link's text is what was written, which is plain ASCII, so it reads as what it opens.
 *
 * Mentions: the reader's name as a word, compared as names are (NFKC, then case-folded), so `ana`, `ANA`
 * and a full-width `Ａｎａ` mention Ana. (The server's key also folds look-alikes; the page leaves that
 * table out of its bundle, so a Cyrillic `Аna` is no mention here.)
 *
 * @example
 * ```ts
 * import { textParts } from "./text.ts";
 * textParts("see https://example.org/a, Ana", "ana");
 * // [{ type: "text", text: "see " }, { type: "link", text: "https://example.org/a", href: "https://example.org/a" },
 * //  { type: "text", text: ", " }, { type: "mention", text: "Ana" }]
 * ```
 */

export type TextPart =
  | { type: "text"; text: string }
  | { type: "link"; text: string; href: string }
  | { type: "mention"; text: string };

const SCHEME = /https?:\/\//giy;
const URL_START = /https?:\/\//gi;
/** What a URL is made of here: RFC 3986's characters less the quote. */
const URL_CHAR = /[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]/;
/** After a URL, these end it quietly; other non-ASCII letters, marks and invisibles make it text whole. */
const DOUBTFUL_NEXT = /[\p{L}\p{N}\p{M}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/u;
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST = new RegExp(
  `^(?:(?:${LABEL}\\.)+[a-z][a-z0-9-]*[a-z0-9]|localhost|\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9a-f:.]+\\])$`,
);
const TRAILING = /[.,:;!?*'_-]$/;
/** A run of name characters: what can be a word naming someone. */
const WORD = /[\p{L}\p{N}\p{M}_.-]+/gu;

/** Folds a name as names are compared (NFKC, case-folded; see server/room/names.ts, without look-alikes). */
export function foldName(name: string): string {
  return name.normalize("NFKC").toUpperCase().toLowerCase();
}

/** `text` as text, links and mentions of `me` (a name, or undefined when signed out). */
export function textParts(text: string, me?: string): TextPart[] {
  const parts: TextPart[] = [];
  const folded = me === undefined || me === "" ? undefined : foldName(me);
  const plain = (from: number, to: number) => {
    if (to > from) parts.push(...mentionParts(text.slice(from, to), folded));
  };
  let done = 0;
  for (const link of findLinks(text)) {
    plain(done, link.start);
    parts.push({ type: "link", text: link.text, href: link.href });
    done = link.start + link.text.length;
  }
  plain(done, text.length);
  return parts;
}

/** Whether `text` names `me` as a word. */
export function mentions(text: string, me: string | undefined): boolean {
  return textParts(text, me).some((part) => part.type === "mention");
}

/** The links in `text`, in order: where each starts, its text as written, and the URL it opens. */
export function findLinks(text: string): { start: number; text: string; href: string }[] {
  const links: { start: number; text: string; href: string }[] = [];
  URL_START.lastIndex = 0;
  for (let match = URL_START.exec(text); match; match = URL_START.exec(text)) {
    const start = match.index;
    let end = start + match[0].length;
    while (end < text.length && URL_CHAR.test(text[end])) end++;
    URL_START.lastIndex = end;
    // Glued to a word before it (`xhttps://`), or running into a doubtful character: text, whole.
    if (start > 0 && /[\p{L}\p{N}\p{M}_]/u.test(text[start - 1])) continue;
    if (end < text.length && DOUBTFUL_NEXT.test(text[end])) {
      while (end < text.length && !/\s/.test(text[end])) end++;
      URL_START.lastIndex = end;
      continue;
    }
    const written = trimTrailing(text.slice(start, end));
    const href = safeHref(written);
    if (href !== undefined) links.push({ start, text: written, href });
  }
  return links;
}

/** The URL `written` opens, if it is a plain http(s) URL on a plain host; undefined otherwise. */
export function safeHref(written: string): string | undefined {
  SCHEME.lastIndex = 0;
  if (!SCHEME.test(written)) return undefined;
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username !== "" || url.password !== "") return undefined;
  const host = url.hostname;
  if (!HOST.test(host) || host.split(".").some((label) => label.startsWith("xn--"))) return undefined;
  return url.href;
}

/** Drops punctuation that ends the sentence rather than the URL, and closing brackets it never opened. */
function trimTrailing(url: string): string {
  for (;;) {
    if (TRAILING.test(url)) {
      url = url.slice(0, -1);
      continue;
    }
    const last = url.at(-1);
    const open = last === ")" ? "(" : last === "]" ? "[" : undefined;
    if (open !== undefined && count(url, open) < count(url, last!)) {
      url = url.slice(0, -1);
      continue;
    }
    return url;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function mentionParts(text: string, me: string | undefined): TextPart[] {
  if (me === undefined) return [{ type: "text", text }];
  const parts: TextPart[] = [];
  let done = 0;
  WORD.lastIndex = 0;
  for (let match = WORD.exec(text); match; match = WORD.exec(text)) {
    // A name may hold `.` and `-`, but a sentence's full stop or a dash around it is no part of it.
    const word = match[0].replace(/^[.-]+/, "");
    const start = match.index + match[0].length - word.length;
    const trimmed = word.replace(/[.-]+$/, "");
    const name = foldName(word) === me ? word : trimmed;
    if (name === "" || foldName(name) !== me) continue;
    if (start > done) parts.push({ type: "text", text: text.slice(done, start) });
    parts.push({ type: "mention", text: name });
    done = start + name.length;
  }
  if (done < text.length) parts.push({ type: "text", text: text.slice(done) });
  return parts;
}
