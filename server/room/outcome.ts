/**
 * What became of one line of a member's input, as data each door renders its own way (a `! ` line on TCP,
 * an HTTP status on the web), and the replies the room gives.
 */
import type { MemberInfo } from "../directory/directory.ts";

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
  | "not_present"
  | "no_such_member"
  | "unavailable";

/**
 * A line the room took and is storing together with the other lines of its turn: one object per batch,
 * shared by its lines. `done` says how it went (`sent`, or the `unavailable` error: nothing of the batch
 * was stored) once the room's readers here have it; a door that reads on need not wait for it.
 */
export class Sending {
  constructor(readonly done: Promise<Outcome>) {}
}

/**
 * The most names one `/who` reply lists; the rest are counted ("… and N more"), so the reply stays small
 * (a few KB) however big the room is.
 */
export const MAX_NAMES_IN_WHO = 100;

/** The error when the store cannot take the event (Redis away, the disk failing). */
export const UNAVAILABLE = "room unavailable, not sent";

export function error(code: ErrorCode, message: string): Extract<Outcome, { type: "error" }> {
  return { type: "error", code, message };
}

/** The `/who` reply: the true count, then at most {@link MAX_NAMES_IN_WHO} names with their doors. */
export function whoLines(members: readonly MemberInfo[]): string[] {
  const lines = [`${members.length} online:`];
  for (const member of members.slice(0, MAX_NAMES_IN_WHO)) lines.push(`  ${member.name} (${member.door})`);
  if (members.length > MAX_NAMES_IN_WHO) lines.push(`  … and ${members.length - MAX_NAMES_IN_WHO} more`);
  return lines;
}
