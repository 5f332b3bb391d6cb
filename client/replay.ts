/**
 * What to show of the lines between a sign-in and the answer to the client's `/who`: the server's replayed
 * history, then (from the client's own join on) the first live lines. The own join ends the history because the
 * server announces it right after the history, in the same turn. History lines already shown are dropped (see
 * {@link Transcript}); live lines are always shown, and never matched, or the new join would match the last one.
 *
 * @example
 * ```ts
 * import { planReplay } from "./replay.ts";
 * import { Transcript } from "./transcript.ts";
 * const plan = planReplay(["Bob: hi", "* Ana joined the chat"], "Ana", new Transcript());
 * // { gap: false, history: ["Bob: hi"], live: ["* Ana joined the chat"] }
 * ```
 */
import { classify, isRoomLine } from "./render.ts";
import type { Transcript } from "./transcript.ts";

export interface ReplayPlan {
  /** Some lines said before `history` may be missing: the replay does not reach back to what was shown. */
  gap: boolean;
  /** Replayed lines not shown before (their time is unknown). */
  history: string[];
  /** Lines that arrived live after the replay. */
  live: string[];
}

/**
 * Only the room's lines are matched against what was shown: a private line of a previous session is not
 * replayed to the new one, and answers and errors are not in the history.
 */
export function planReplay(replay: readonly string[], name: string, transcript: Transcript): ReplayPlan {
  const ownJoin = replay.lastIndexOf(`* ${name} joined the chat`);
  const liveFrom = ownJoin === -1 ? replay.length : ownJoin;
  const roomAt = replay.slice(0, liveFrom).flatMap((line, at) => isRoomLine(classify(line)) ? [at] : []);
  const { known, gap } = transcript.reconcile(roomAt.map((at) => replay[at]));
  const start = known === 0 ? 0 : roomAt[known - 1] + 1;
  return { gap, history: replay.slice(start, liveFrom), live: replay.slice(liveFrom) };
}
