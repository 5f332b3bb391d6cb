/**
 * The Room: who is here, what they may say, and the commands. It knows no sockets and no HTTP: every
 * action becomes an event handed to the RoomLog, which orders it and tells every door.
 *
 * A member's life: {@link Room.claim} reserves a name, {@link Room.enter} makes the member present
 * (everyone sees the join), {@link Room.leave} ends it and frees the name.
 *
 * @example
 * ```ts
 * const room = new Room(new MemoryLog(), { maxMessageBytes: 2048, floodBurst: 10, floodRate: 5 });
 * const ana = room.claim("Ana", "tcp");
 * if ("error" in ana) throw new Error(ana.error);
 * room.enter(ana);
 * room.input(ana, "hello"); // { type: "sent" }; subscribers of the log see `message` from Ana
 * ```
 */
import type { RoomLog } from "../log/log.ts";
import type { Door, LeaveReason } from "./events.ts";
import { TokenBucket } from "./flood.ts";
import { checkName } from "./names.ts";
import { sanitize } from "./sanitize.ts";

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly door: Door;
  /** Key in the room's name table (folded name). */
  readonly key: string;
  present: boolean;
  readonly bucket: TokenBucket;
}

export interface RoomLimits {
  maxMessageBytes: number;
  floodBurst: number;
  floodRate: number;
}

/** What became of one line of input. Doors render it; only `sent` reached the room. */
export type Outcome =
  | { type: "sent" }
  | { type: "ignored" }
  | { type: "reply"; lines: string[] }
  | { type: "quit" }
  | { type: "error"; code: ErrorCode; message: string; retryAfterMs?: number };

export type ErrorCode =
  | "too_long"
  | "flood"
  | "unknown_command"
  | "not_present";

export const HELP_LINES: readonly string[] = [
  "Commands:",
  "  /help            this list",
  "  /who             who is online, and through which door",
  "  /me does this    an action: * NAME does this",
  "  /quit or {close} leave the chat",
  "  //text           send a line that starts with /",
];

/**
 * The most names one `/who` reply lists; the rest are counted ("… and N more"), so the reply stays small
 * (a few KB) however big the room is.
 */
export const MAX_NAMES_IN_WHO = 100;

const encoder = new TextEncoder();
let nextMemberId = 1;

export class Room {
  #members = new Map<string, Member>();

  constructor(readonly log: RoomLog, readonly limits: RoomLimits) {}

  /** Reserves a name for a new member, or says why it cannot be had. Nobody is told yet. */
  claim(input: string, door: Door): Member | { error: string } {
    const check = checkName(input);
    if (!check.ok) return { error: check.error };
    const holder = this.#members.get(check.key);
    if (holder) {
      return { error: `the name "${holder.name}" is taken, choose another` };
    }
    const member: Member = {
      id: `${door}-${nextMemberId++}`,
      name: check.name,
      door,
      key: check.key,
      present: false,
      bucket: new TokenBucket(this.limits.floodBurst, this.limits.floodRate),
    };
    this.#members.set(check.key, member);
    return member;
  }

  /** Makes a claimed member present; everyone sees the join. */
  enter(member: Member): void {
    if (member.present || this.#members.get(member.key) !== member) return;
    member.present = true;
    this.log.append({
      at: Date.now(),
      kind: "join",
      from: member.name,
      door: member.door,
    });
  }

  /** Ends a membership and frees its name; the room sees the leave if the member was present. */
  leave(member: Member, reason: LeaveReason): void {
    if (this.#members.get(member.key) !== member) return;
    this.#members.delete(member.key);
    if (!member.present) return;
    member.present = false;
    this.log.append({
      at: Date.now(),
      kind: "leave",
      from: member.name,
      reason,
    });
  }

  /** Present members, in the order their names were claimed. */
  members(): Member[] {
    return [...this.#members.values()].filter((member) => member.present);
  }

  /** One line of input from a member: a message, an action or a command. */
  input(member: Member, raw: string): Outcome {
    if (!member.present) {
      return {
        type: "error",
        code: "not_present",
        message: "you are not in the room",
      };
    }
    if (encoder.encode(raw).length > this.limits.maxMessageBytes) {
      return {
        type: "error",
        code: "too_long",
        message: `message too long (max ${this.limits.maxMessageBytes} bytes), not sent`,
      };
    }
    const text = sanitize(raw);
    if (text.trim() === "") return { type: "ignored" };
    if (text.trim() === "{close}" || /^\/quit(\s|$)/i.test(text)) {
      return { type: "quit" };
    }
    const wait = member.bucket.take();
    if (wait > 0) {
      return {
        type: "error",
        code: "flood",
        message: "too many messages, slow down",
        retryAfterMs: wait,
      };
    }
    if (!text.startsWith("/") || text.startsWith("//")) {
      return this.#say(member, "message", text.replace(/^\//, ""));
    }
    return this.#command(member, text);
  }

  /** Tells everyone something from the server itself (e.g. that it is shutting down). */
  announce(text: string): void {
    this.log.append({ at: Date.now(), kind: "system", text: sanitize(text) });
  }

  #command(member: Member, text: string): Outcome {
    const [, command, rest = ""] = text.match(/^\/(\S*)\s?(.*)$/s)!;
    switch (command.toLowerCase()) {
      case "help":
        return { type: "reply", lines: [...HELP_LINES] };
      case "who":
        return { type: "reply", lines: whoLines(this.members()) };
      case "me":
        if (rest.trim() === "") {
          return {
            type: "error",
            code: "unknown_command",
            message: "usage: /me does something",
          };
        }
        return this.#say(member, "action", rest);
      default:
        return {
          type: "error",
          code: "unknown_command",
          message: `unknown command /${command}, try /help (start with // to send a line beginning with /)`,
        };
    }
  }

  #say(member: Member, kind: "message" | "action", text: string): Outcome {
    this.log.append({ at: Date.now(), kind, from: member.name, text });
    return { type: "sent" };
  }
}

/** The `/who` reply: the true count, then at most {@link MAX_NAMES_IN_WHO} names with their doors. */
function whoLines(members: readonly Member[]): string[] {
  const lines = [`${members.length} online:`];
  for (const member of members.slice(0, MAX_NAMES_IN_WHO)) lines.push(`  ${member.name} (${member.door})`);
  if (members.length > MAX_NAMES_IN_WHO) lines.push(`  … and ${members.length - MAX_NAMES_IN_WHO} more`);
  return lines;
}
