/**
 * IRC messages: one line split into tags, source, verb and parameters, and back (RFC 1459 framing with
 * IRCv3 message tags). Strict where it matters to a server: a line over the size limit is refused whole
 * ({@link lineTooLong}), never cut.
 *
 * @example
 * ```ts
 * import { parseMessage, serializeMessage } from "./message.ts";
 * parseMessage("@time=x :ana!u@h PRIVMSG #chat :hi there");
 * // { tags: { time: "x" }, source: "ana!u@h", verb: "PRIVMSG", params: ["#chat", "hi there"] }
 * serializeMessage({ source: "chat", verb: "PRIVMSG", params: ["#chat", "hi there"] });
 * // ":chat PRIVMSG #chat :hi there"
 * ```
 */

export interface IrcMessage {
  tags?: Record<string, string>;
  source?: string;
  verb: string;
  params: string[];
}

/** Bytes of a line without its tags, CR LF excluded (512 with them). */
export const MAX_BODY_BYTES = 510;
/** Bytes of a client's tags section, `@` and the space after it included (with `message-tags`). */
export const MAX_CLIENT_TAGS_BYTES = 4096;
/** The longest line the door reads at all: tags and body together. */
export const MAX_LINE_BYTES = MAX_CLIENT_TAGS_BYTES + MAX_BODY_BYTES;

const encoder = new TextEncoder();

/**
 * Why a line is over the limits, or undefined when it is not. Without `message-tags` the whole line counts
 * against the 510 bytes; with it the tags have their own 4096.
 */
export function lineTooLong(line: string, messageTags: boolean): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8: most lines are never encoded to be measured.
  if (line.length * 3 <= MAX_BODY_BYTES) return false;
  if (!messageTags || !line.startsWith("@")) return encoder.encode(line).length > MAX_BODY_BYTES;
  const space = line.indexOf(" ");
  const tags = space === -1 ? line : line.slice(0, space + 1);
  const body = space === -1 ? "" : line.slice(space + 1).replace(/^ +/, "");
  return encoder.encode(tags).length > MAX_CLIENT_TAGS_BYTES || encoder.encode(body).length > MAX_BODY_BYTES;
}

const UNESCAPES: Record<string, string> = { ":": ";", s: " ", "\\": "\\", r: "\r", n: "\n" };
const ESCAPES: Record<string, string> = { ";": "\\:", " ": "\\s", "\\": "\\\\", "\r": "\\r", "\n": "\\n" };

/** A tag value as sent (`\s` → space, …); a backslash before another character is dropped, and one at the end too. */
export function unescapeTagValue(raw: string): string {
  let value = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== "\\") {
      value += c;
      continue;
    }
    i++;
    if (i < raw.length) value += UNESCAPES[raw[i]] ?? raw[i];
  }
  return value;
}

export function escapeTagValue(value: string): string {
  return value.replace(/[; \\\r\n]/g, (c) => ESCAPES[c]);
}

/**
 * Splits one line (without its CR LF) into a message; undefined when it has no verb. Atoms are separated
 * by one or more spaces (RFC 1459), a tab is not a space, the last parameter may be a trailing one after
 * ` :`, and of repeated tags the last one wins.
 */
export function parseMessage(line: string): IrcMessage | undefined {
  let rest = line;
  let tags: Record<string, string> | undefined;
  if (rest.startsWith("@")) {
    const end = rest.indexOf(" ");
    const raw = end === -1 ? rest.slice(1) : rest.slice(1, end);
    rest = end === -1 ? "" : rest.slice(end + 1);
    tags = {};
    for (const tag of raw.split(";")) {
      if (tag === "") continue;
      const eq = tag.indexOf("=");
      if (eq === -1) tags[tag] = "";
      else tags[tag.slice(0, eq)] = unescapeTagValue(tag.slice(eq + 1));
    }
  }
  rest = rest.replace(/^ +/, "");
  let source: string | undefined;
  if (rest.startsWith(":")) {
    const end = rest.indexOf(" ");
    source = end === -1 ? rest.slice(1) : rest.slice(1, end);
    rest = end === -1 ? "" : rest.slice(end + 1).replace(/^ +/, "");
  }
  const verbEnd = rest.indexOf(" ");
  const verb = verbEnd === -1 ? rest : rest.slice(0, verbEnd);
  if (verb === "") return undefined;
  rest = verbEnd === -1 ? "" : rest.slice(verbEnd + 1);
  const params: string[] = [];
  for (;;) {
    rest = rest.replace(/^ +/, "");
    if (rest === "") break;
    if (rest.startsWith(":")) {
      params.push(rest.slice(1));
      break;
    }
    const end = rest.indexOf(" ");
    params.push(end === -1 ? rest : rest.slice(0, end));
    if (end === -1) break;
    rest = rest.slice(end + 1);
  }
  const message: IrcMessage = { verb, params };
  if (tags) message.tags = tags;
  if (source !== undefined) message.source = source;
  return message;
}

/**
 * A message as one line, without CR LF. The last parameter is sent as a trailing one (`:`) when it must
 * be (empty, has a space, starts with `:`) or when `trailing` asks for it (text, by convention).
 */
export function serializeMessage(message: IrcMessage, trailing = false): string {
  let line = "";
  if (message.tags) {
    const tags = Object.entries(message.tags).map(([key, value]) =>
      value === "" ? key : `${key}=${escapeTagValue(value)}`
    );
    if (tags.length > 0) line += `@${tags.join(";")} `;
  }
  if (message.source !== undefined) line += `:${message.source} `;
  line += message.verb;
  const { params } = message;
  for (let i = 0; i < params.length; i++) {
    const param = params[i];
    const last = i === params.length - 1;
    if (last && (trailing || param === "" || param.includes(" ") || param.startsWith(":"))) line += ` :${param}`;
    else line += ` ${param}`;
  }
  return line;
}
