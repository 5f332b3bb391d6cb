/**
 * Web sessions, from sign-in to leave. A session is a claimed member plus the random token its cookie
 * carries. The member is present while at least one of the session's streams is open; when the last one
 * closes it stays for a grace period (so a page reload is not a leave and a join), then leaves with reason
 * `lost` and the session is gone. A session that never opens a stream is dropped after the registration
 * timeout, freeing its name. While a session has no stream open (before its first, and in its grace period)
 * it holds a name slot from its sign-in's address in the caps it is given ({@link ConnectionCaps.hold});
 * with a stream open, the stream's connection counts instead. Given the connection limits both doors share,
 * the names one address holds through either door never exceed its limit. With several instances the
 * sessions are also kept in a shared {@link SessionStore}, so another instance can pick a browser up.
 *
 * @example
 * ```ts
 * import type { ConnectionCaps } from "../io/caps.ts";
 * import type { Room } from "../room/room.ts";
 * import { type Closable, Sessions } from "./sessions.ts";
 * export async function visit(room: Room, caps: ConnectionCaps, stream: Closable): Promise<void> {
 *   const sessions = new Sessions(room, { graceMs: 5000, registrationTimeoutMs: 60_000 }, caps);
 *   const result = await sessions.signIn("Ana", undefined, "203.0.113.7");
 *   if ("error" in result) throw new Error(result.error);
 *   await sessions.attach(result.session, stream); // everyone sees "Ana joined"
 *   sessions.detach(result.session, stream); // five seconds later, unless another stream opens: Ana left
 * }
 * ```
 */
import type { LeaveReason } from "../room/events.ts";
import { checkName } from "../room/names.ts";
import type { Member, Room } from "../room/room.ts";
import type { ConnectionCaps, Refusal, Slot } from "../io/caps.ts";
import { GLOBAL_TIMERS, type Timers } from "../async/timers.ts";
import { errorFields, log } from "../ops/log.ts";
import { LOCAL_SESSIONS, type SessionStore } from "./session_store.ts";

/** What a session needs from a stream: a way to end it (saying why). */
export interface Closable {
  close(reason?: string): void;
}

export interface SessionOptions {
  graceMs: number;
  registrationTimeoutMs: number;
  /** The global timers unless given (a test's manual clock). */
  timers?: Timers;
}

export class Session {
  readonly streams = new Set<Closable>();
  ended = false;
  /** The registration timeout before the first stream, the grace period after the last one. */
  timer: unknown;
  /** The name slot held while no stream is open: before the first, and in the grace period after the last. */
  held: Slot | undefined;

  /** `address`: where it signed in from (or was picked up from), whose limit its name counts against. */
  constructor(readonly token: string, readonly member: Member, readonly address: string) {}
}

export type SignIn =
  | { session: Session; created: boolean }
  | { error: string; problem: "invalid" | "taken" | "address" | "full" | "closed" };

const TOKEN_BYTES = 32;

export class Sessions {
  #byToken = new Map<string, Session>();
  #recalling = new Map<string, Promise<Session | undefined>>();
  #stopped = false;
  #timers: Timers;

  /**
   * `caps`: the connection limits both doors share; a session without a stream holds its name slot there.
   * `shared`: where other instances find this one's sessions (none for one instance alone).
   */
  constructor(
    readonly room: Room,
    readonly options: SessionOptions,
    readonly caps: ConnectionCaps,
    readonly shared: SessionStore = LOCAL_SESSIONS,
  ) {
    this.#timers = options.timers ?? GLOBAL_TIMERS;
  }

  /** The live session a cookie token names, if this instance has it. */
  find(token: string | undefined): Session | undefined {
    return token === undefined ? undefined : this.#byToken.get(token);
  }

  /**
   * The live session a cookie token names: this instance's, or one another instance signed in, picked up
   * here (the same member goes on; it must open a stream within the registration timeout, like a sign-in).
   */
  resolve(token: string | undefined, address = ""): Promise<Session | undefined> {
    if (token === undefined || this.#stopped) return Promise.resolve(undefined);
    const known = this.#byToken.get(token);
    if (known) return Promise.resolve(known);
    let recalling = this.#recalling.get(token);
    if (!recalling) {
      recalling = this.#recall(token, address).finally(() => this.#recalling.delete(token));
      this.#recalling.set(token, recalling);
    }
    return recalling;
  }

  /** `address`: the request's that picks it up; its name counts there, unrefused (it was had already). */
  async #recall(token: string, address: string): Promise<Session | undefined> {
    let held;
    try {
      held = await this.shared.find(token);
    } catch (cause) {
      log.error("web.sessions_unavailable", errorFields(cause));
      return undefined;
    }
    const member = held && await this.room.adopt(held);
    if (!member) return undefined;
    const session = new Session(token, member, address);
    session.held = this.caps.hold(address);
    this.#byToken.set(token, session);
    session.timer = this.#timers.setTimeout(() => this.end(session, "timeout"), this.options.registrationTimeoutMs);
    return session;
  }

  /**
   * Claims `name` for a new web member. A `current` session under the same name is kept as it is; under
   * another name it ends once the new name is had, so a user can rename, and a refused rename (invalid or
   * taken, or over the connection limits for `address`) leaves the user where they were.
   */
  async signIn(name: string, current: Session | undefined, address: string): Promise<SignIn> {
    if (this.#stopped) return SHUTTING_DOWN;
    const check = checkName(name);
    if (!check.ok) return { error: check.error, problem: "invalid" };
    const live = current && !current.ended ? current : undefined;
    if (live?.member.key === check.key) return { session: live, created: false };
    // A rename ends the current session, so a name slot it still holds is not counted.
    const refusal = refused(this.caps.nameRefusal(address, live?.held));
    if (refusal) return refusal;
    const member = await this.room.claim(name, "web");
    if ("error" in member) return { error: member.error, problem: "taken" };
    // Shutdown may have begun, or the limits filled, while the name was being claimed.
    const late = this.#stopped
      ? SHUTTING_DOWN
      : refused(this.caps.nameRefusal(address, live?.ended ? undefined : live?.held));
    if (late) {
      await this.room.leave(member, "quit");
      return late;
    }
    if (live) this.end(live, "quit");
    const session = new Session(newToken(), member, address);
    session.held = this.caps.hold(address);
    this.#byToken.set(session.token, session);
    session.timer = this.#timers.setTimeout(() => this.end(session, "timeout"), this.options.registrationTimeoutMs);
    await this.shared.save(session.token, member).catch((cause) => log.error("web.session_failed", errorFields(cause)));
    return { session, created: true };
  }

  /**
   * A stream of the session opened: the member is (or stays) present, its join written once this resolves.
   * False if the session is over.
   */
  async attach(session: Session, stream: Closable): Promise<boolean> {
    if (session.ended || this.#stopped) return false;
    this.#timers.clearTimeout(session.timer);
    session.held?.release();
    session.held = undefined;
    session.streams.add(stream);
    await this.room.enter(session.member).catch((error) => log.error("web.enter_error", errorFields(error)));
    return true;
  }

  /** A stream of the session closed; after the last one the member leaves once the grace period passes. */
  detach(session: Session, stream: Closable): void {
    if (!session.streams.delete(stream) || session.ended || this.#stopped) return;
    if (session.streams.size > 0) return;
    this.#timers.clearTimeout(session.timer);
    // Not refused: the name was had already, and the stream's connection it replaces is closing.
    session.held ??= this.caps.hold(session.address);
    session.timer = this.#timers.setTimeout(() => this.end(session, "lost"), this.options.graceMs);
  }

  /** Ends the session now: the member leaves with `reason` and every stream of the session closes. */
  end(session: Session, reason: LeaveReason): void {
    if (session.ended) return;
    session.ended = true;
    this.#timers.clearTimeout(session.timer);
    session.held?.release();
    session.held = undefined;
    this.#byToken.delete(session.token);
    // A member another instance took over has not left: its session lives on there.
    log.info("web.leave", { name: session.member.name, reason });
    this.room.leave(session.member, reason).then(async (left) => {
      if (left) await this.shared.drop(session.token).catch(() => {});
    }).catch((error) => log.error("web.leave_error", { name: session.member.name, ...errorFields(error) }));
    for (const stream of [...session.streams]) stream.close(reason);
    session.streams.clear();
  }

  /** For shutdown: stops every timer and changes no presence from now on (members do not leave). */
  stop(): void {
    this.#stopped = true;
    for (const session of this.#byToken.values()) this.#timers.clearTimeout(session.timer);
  }
}

const SHUTTING_DOWN: SignIn = { error: "the server is shutting down", problem: "closed" };

function refused(refusal: Refusal | undefined): SignIn | undefined {
  return refusal && { error: refusal.error, problem: refusal.kind };
}

function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
