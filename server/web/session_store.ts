/**
 * Where web sessions are kept for every instance: a browser the balancer sends to another instance keeps
 * its cookie, and that instance finds the session's member here and takes it over (see sessions.ts). One
 * instance alone needs nothing of the kind: its own session table is the only one ({@link LOCAL_SESSIONS}).
 * With several instances the sessions live in Redis (redis_session_store.ts).
 *
 * @example
 * ```ts
 * import { LOCAL_SESSIONS } from "./session_store.ts";
 * await LOCAL_SESSIONS.find("a token"); // undefined: no other instance to have signed it in
 * ```
 */
import type { Holder } from "../room/room.ts";

/** How long a session is kept for other instances to pick up, from its sign-in or last pick-up. */
export const SESSION_MS = 24 * 60 * 60 * 1000;

export interface SessionStore {
  /** Keeps the session's member under `token` for {@link SESSION_MS}. */
  save(token: string, member: Holder): Promise<void>;
  /** The member of the session `token` names (its time starts again), or undefined. */
  find(token: string): Promise<Holder | undefined>;
  /** The session is over: no instance may pick it up any more. */
  drop(token: string): Promise<void>;
}

/** One instance: nothing to keep, nothing to find. */
export const LOCAL_SESSIONS: SessionStore = {
  save: () => Promise.resolve(),
  find: () => Promise.resolve(undefined),
  drop: () => Promise.resolve(),
};
