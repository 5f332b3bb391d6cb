/**
 * Room events as IRC lines. The room is one channel: members of every door are ordinary nicks
 * (`Ana!web@chat`), messages are `PRIVMSG`s, `/me` is a CTCP `ACTION`, joins and leaves are `JOIN` and
 * `QUIT`, and the server's own news are its `NOTICE`s. A replayed join or leave is told as a notice, so a
 * client's list of who is in the channel stays what {@link Names} says. Text longer than one IRC line
 * allows is sent as several lines, never cut.
 *
 * @example
 * ```ts
 * import { IrcRenderer } from "./render.ts";
 * const render = new IrcRenderer({ channel: "#chat", serverName: "chat.server" });
 * render.lines({ id: "e-1", at: 0, kind: "message", from: "Ana", fromId: "a", door: "web", text: "hi" }, {});
 * // [":Ana!web@chat PRIVMSG #chat :hi"]
 * ```
 */
import { notice } from "../../common/sentences.ts";
import type { Door } from "../../common/doors.ts";
import type { RoomEvent } from "../room/events.ts";
import type { RoundEncoder } from "../room/round.ts";
import { MAX_BODY_BYTES, serializeMessage } from "./message.ts";

const utf8 = new TextEncoder();

export const CTCP = "\x01";

export interface RenderOptions {
  channel: string;
  serverName: string;
  /** The door of a present member, by name (its joins may be older than what was kept). */
  doorOf?: (name: string | undefined) => string | undefined;
}

/** Who reads: its member id (private events, its own lines), and what it negotiated. */
export interface Viewer {
  memberId?: string;
  nick?: string;
  /** `server-time`: each line carries its event's `@time`. */
  serverTime?: boolean;
  /** `echo-message`: the member gets its own messages back. */
  echo?: boolean;
  /** From before the reader came: without server-time the text says when. */
  replayed?: boolean;
}

/** `nick!door@chat`: who a member is on IRC, whichever door it came through. */
export function mask(nick: string, door: string = "irc"): string {
  return `${nick}!${door}@chat`;
}

const encoder = new TextEncoder();

/** Splits `text` into pieces of at most `bytes` bytes of UTF-8, on character boundaries; at least one piece. */
export function splitBytes(text: string, bytes: number): string[] {
  if (text.length * 3 <= bytes || encoder.encode(text).length <= bytes) return [text];
  const pieces: string[] = [];
  let piece = "";
  let size = 0;
  for (const char of text) {
    const n = char.length === 2 ? 4 : char.charCodeAt(0) < 0x80 ? 1 : char.charCodeAt(0) < 0x800 ? 2 : 3;
    if (size + n > bytes) {
      pieces.push(piece);
      piece = "";
      size = 0;
    }
    piece += char;
    size += n;
  }
  pieces.push(piece);
  return pieces;
}

function clock(at: number): string {
  const date = new Date(at);
  return `[${String(date.getUTCHours()).padStart(2, "0")}:${String(date.getUTCMinutes()).padStart(2, "0")}] `;
}

export class IrcRenderer {
  /** A round's public events for readers without server-time, and with it: each encoded once per round. */
  readonly plainRound: RoundEncoder;
  readonly timedRound: RoundEncoder;
  /** Who each member id was when it last spoke or joined, for a leave that names only the name. */
  #doors = new Map<string, Door | string>();
  #leave: { event: RoomEvent; door: Door | string } | undefined;

  constructor(readonly options: RenderOptions) {
    this.plainRound = (events) => this.#encode(events, {});
    this.timedRound = (events) => this.#encode(events, { serverTime: true });
  }

  /** The lines `viewer` reads for `event` (none for its own lines without echo-message, or its own join). */
  lines(event: RoomEvent, viewer: Viewer): string[] {
    const { channel, serverName } = this.options;
    const tags = viewer.serverTime ? { time: new Date(event.at).toISOString() } : undefined;
    const own = event.fromId !== undefined && event.fromId === viewer.memberId;
    const stamp = viewer.replayed && !viewer.serverTime ? clock(event.at) : "";
    const source = mask(event.from ?? "", this.#doorOf(event));
    switch (event.kind) {
      case "message":
      case "action": {
        if (own && !viewer.echo) return [];
        const target = event.to === undefined ? channel : own ? event.toName ?? "" : viewer.nick ?? "";
        const text = stamp + (event.text ?? "");
        const action = event.kind === "action";
        const head = serializeMessage({ tags, source, verb: "PRIVMSG", params: [target, ""] });
        // In bytes, as the limit is: a nick or target in another script takes more bytes than characters.
        const prefix = tags ? head.slice(head.indexOf(" ") + 1) : head;
        const room = MAX_BODY_BYTES - utf8.encode(prefix).length - (action ? 9 : 0);
        return splitBytes(text, Math.max(room, 64)).map((piece) =>
          serializeMessage({
            tags,
            source,
            verb: "PRIVMSG",
            params: [target, action ? `${CTCP}ACTION ${piece}${CTCP}` : piece],
          }, true)
        );
      }
      case "join":
      case "leave":
        if (own) return [];
        if (viewer.replayed) {
          return [
            serializeMessage(
              { tags, source: serverName, verb: "NOTICE", params: [channel, stamp + notice(event)] },
              true,
            ),
          ];
        }
        if (event.kind === "join") return [serializeMessage({ tags, source, verb: "JOIN", params: [channel] })];
        return [serializeMessage({ tags, source, verb: "QUIT", params: [quitReason(event.reason)] }, true)];
      case "system":
        return splitBytes(stamp + (event.text ?? ""), 400).map((piece) =>
          serializeMessage({ tags, source: serverName, verb: "NOTICE", params: [channel, piece] }, true)
        );
      default:
        return unknownKind(event.kind);
    }
  }

  /**
   * The door of the member behind `event`: its join says; later events are looked up once per member (a
   * join may be older than this process) and remembered until its live leave, which every reader of that
   * leave still sees with it.
   */
  #doorOf(event: RoomEvent): Door | string {
    if (event.door) {
      if (event.fromId) this.#doors.set(event.fromId, event.door);
      return event.door;
    }
    if (event === this.#leave?.event) return this.#leave.door;
    const id = event.fromId;
    let door = id === undefined ? undefined : this.#doors.get(id);
    if (door === undefined) door = this.options.doorOf?.(event.from) ?? "chat";
    if (id !== undefined) {
      if (event.kind === "leave") {
        this.#doors.delete(id);
        this.#leave = { event, door };
      } else this.#doors.set(id, door);
    }
    return door;
  }

  #encode(events: readonly RoomEvent[], viewer: Viewer): Uint8Array {
    let text = "";
    for (const event of events) for (const line of this.lines(event, viewer)) text += line + "\r\n";
    return encoder.encode(text);
  }
}

/** What IRC clients show for a leave: `Quit: left the chat`, `Connection lost`, … */
export function quitReason(reason: string | undefined): string {
  switch (reason) {
    case "lost":
      return "Connection lost";
    case "timeout":
      return "Timed out";
    case "slow":
      return "SendQ exceeded";
    default:
      return "Quit: left the chat";
  }
}

function unknownKind(kind: never): never {
  throw new Error(`no IRC rendering for events of kind ${kind}`);
}
