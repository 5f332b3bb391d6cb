/**
 * The Room: who is here, what they may say, the commands, and who sees what. It knows no sockets and no
 * HTTP: every action becomes an event appended to the {@link EventStore}; every event the store delivers
 * goes through the room's {@link Fanout} to the readers allowed to see it. Names are held in the
 * {@link Directory}; who is present follows the join and leave events.
 *
 * A member's life: {@link Room.claim} reserves a name, {@link Room.enter} makes the member present
 * (everyone sees the join), {@link Room.leave} ends it and frees the name. A reader's stream, replay
 * and live, comes from {@link Room.listen}.
 *
 * Lines are taken without waiting for the store: everything appended in one turn goes out as one batch
 * (see {@link Appender}), so a member's next line never waits for its previous one's round trip. Only an
 * answer to the member (a reply, an error, quitting) waits until the member's own earlier lines were
 * delivered, so the member sees its lines before the answer to what it typed after them.
 *
 * @example
 * ```ts
 * import { LocalDirectory } from "../directory/local.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * import { Room } from "./room.ts";
 * const room = new Room(new MemoryStore(), new LocalDirectory(), {
 *   maxMessageBytes: 2048, floodBurst: 10, floodRate: 5, history: 20,
 * });
 * const ana = await room.claim("Ana", "tcp");
 * if ("error" in ana) throw new Error(ana.error);
 * await room.enter(ana);
 * await room.input(ana, "hello"); // { type: "sent" }, once stored and delivered
 * room.say(ana, "hi again"); // a Sending, shared by every line of this turn: nothing waits for it
 * ```
 */
import type { Directory, Holder, MemberInfo, SendReceipts } from "../directory/directory.ts";
import { Receipts } from "../directory/receipts.ts";
import type { EventStore } from "../store/store.ts";
import { errorFields, log } from "../ops/log.ts";
import { StoreUnavailable } from "../store/store.ts";
import { HELP_LINES, type Intent, parseInput } from "./commands.ts";
import type { Door, LeaveReason, NewEvent, RoomEvent } from "./events.ts";
import { isVisibleTo } from "./events.ts";
import { Appender } from "./appender.ts";
import type { Backlog } from "../async/backlog.ts";
import { Delivered } from "./delivered.ts";
import { Fanout } from "./fanout.ts";
import { TokenBucket } from "./flood.ts";
import { listen } from "./listen.ts";
import { checkName, nameKey } from "./names.ts";
import { Presence } from "./presence.ts";
import { error, type Outcome, Sending, UNAVAILABLE, whoLines } from "./outcome.ts";
import type { From, Reader } from "./reader.ts";
import { sanitize, stripIrcFormatting } from "../../common/sanitize.ts";

export type { Holder, MemberInfo, Outcome };
export { Sending };

/** A member of this process: who it is, whether it is in the room yet, and its flood bucket. */
export interface Member extends Holder {
  /** Its name's folded, confusable-proof key. */
  readonly key: string;
  present: boolean;
  readonly bucket: TokenBucket;
  /** How the member's newest line still on its way went: answers to the member wait for it. */
  lastSend?: Promise<Outcome>;
}

export interface RoomLimits {
  maxMessageBytes: number;
  floodBurst: number;
  floodRate: number;
  /** Events a reset carries. */
  history: number;
}

const encoder = new TextEncoder();
const SENT: Outcome = { type: "sent" };
const IGNORED: Outcome = { type: "ignored" };
const QUIT: Outcome = { type: "quit" };
const REFUSED: Outcome = error("unavailable", UNAVAILABLE);
/** What {@link Outcome} types are; the rest of what `#judge` returns is an intent. */
const OUTCOMES = new Set<string>(["sent", "ignored", "reply", "quit", "error"] satisfies Outcome["type"][]);

function isIntent(
  judged: Outcome | Promise<Outcome> | Exclude<Intent, { type: "quit" }>,
): judged is Exclude<Intent, { type: "quit" }> {
  return !(judged instanceof Promise) && !OUTCOMES.has(judged.type);
}

function flooded(retryAfterMs: number): Outcome {
  return { ...error("flood", "too many messages, slow down"), retryAfterMs };
}

function unreachable(value: never): never {
  throw new Error(`unhandled ${JSON.stringify(value)}`);
}

/** Events one history request looks at, at most, to fill a page with what the member may see. */
export const HISTORY_SCAN_MAX = 2000;

export class Room {
  #store: EventStore;
  #directory: Directory;
  #receipts: SendReceipts;
  #presence = new Presence();
  #fanout = new Fanout();
  /** The members of this process, from their claim until they leave. */
  #local = new Set<Member>();
  #delivered = new Delivered();
  #appender: Appender;
  /** The batch {@link Room.#sending} was made for, and it: one per batch, shared by its lines. */
  #sendingFor: Promise<void> | undefined;
  #sending: Sending | undefined;
  #unsubscribe: () => void;

  /** `receipts`: of keyed sends (in-process unless given; several instances share Redis's). */
  constructor(
    store: EventStore,
    directory: Directory,
    readonly limits: RoomLimits,
    receipts: SendReceipts = new Receipts(),
  ) {
    this.#store = store;
    this.#directory = directory;
    this.#receipts = receipts;
    this.#appender = new Appender(store, this.#delivered);
    this.#unsubscribe = store.subscribe((events) => {
      for (const event of events) this.#presence.apply(event);
      this.#fanout.publish(events);
      this.#delivered.saw(events[events.length - 1].id);
    });
    store.onGap?.((lastId) => this.#fanout.gap(lastId));
    directory.onLost((member) => {
      void this.#append({ at: Date.now(), kind: "leave", from: member.name, fromId: member.id, reason: "lost" });
    });
    store.onReset?.(() => {
      this.#delivered.reset();
      this.#rejoin();
    });
  }

  /** Learns who is present on every instance (once, at start; from then on the events tell). */
  async open(): Promise<void> {
    this.#presence.seed(await this.#directory.present());
  }

  /** Reserves a name for a new member, or says why it cannot be had. Nobody is told yet. */
  async claim(input: string, door: Door): Promise<Member | { error: string }> {
    const check = checkName(input);
    if (!check.ok) return { error: check.error };
    const member = this.#member(check.name, door, check.key, check.keys, crypto.randomUUID());
    let holder: string | undefined;
    try {
      holder = await this.#directory.claim(member);
    } catch (cause) {
      log.error("room.claim_failed", errorFields(cause));
      return { error: "the room is unavailable right now, try again" };
    }
    if (holder !== undefined) return { error: `the name "${holder}" is taken, choose another` };
    this.#local.add(member);
    return member;
  }

  /**
   * Makes a claimed member present; everyone sees the join. A member the room already counts present (a
   * web member another instance had, picked up here) just goes on, with no second join.
   */
  async enter(member: Member): Promise<void> {
    if (member.present || !this.#local.has(member)) return;
    member.present = true;
    if (this.#presence.has(member.id)) {
      await this.#directory.enter(member).catch((cause) => log.error("room.presence_failed", errorFields(cause)));
      return;
    }
    await this.#announceJoin(member);
  }

  /**
   * Takes over a member another instance had (a web session picked up here): the same member, same id and
   * name, now of this instance too; undefined when its name cannot be had here (or the directory is away).
   */
  async adopt(held: Holder): Promise<Member | undefined> {
    const member = this.#member(held.name, held.door, nameKey(held.name), held.keys, held.id);
    if (await this.#directory.claim(member).catch(() => "unavailable") !== undefined) return undefined;
    this.#local.add(member);
    return member;
  }

  /**
   * Ends a membership and frees its name; the room sees the leave if the member was present. False when
   * it was not this instance's to end (already gone, or taken over by another instance).
   */
  async leave(member: Member, reason: LeaveReason): Promise<boolean> {
    if (!this.#local.delete(member)) return false;
    this.#receipts.forget(member.id);
    const wasPresent = member.present;
    member.present = false;
    let ours = true;
    try {
      ours = await this.#directory.release(member);
    } catch (cause) {
      // Its name and presence expire by themselves; another instance then writes the leave.
      log.error("room.release_failed", errorFields(cause));
    }
    // Taken over by another instance (its web session went there): it has not left.
    if (!ours) return false;
    if (wasPresent) await this.#append({ at: Date.now(), kind: "leave", from: member.name, fromId: member.id, reason });
    return true;
  }

  /** Present members, on every door, in the order they joined. */
  members(): MemberInfo[] {
    return this.#presence.list();
  }

  /**
   * Gives `reader` its stream: the history or the missed events `from` asks for, then live events, each
   * once and in order, and only those it may see. Returns the call that ends it.
   */
  listen(reader: Reader, from: From): () => void {
    return listen(this.#store, this.#fanout, reader, from, this.limits, (error) => {
      log.error("room.replay_failed", errorFields(error, true));
    });
  }

  /**
   * Lines taken but not yet stored and delivered here. While it is `paused`, doors take no more input
   * (`await room.pending.ready()`): the store is ahead of what this instance has read back.
   */
  get pending(): Backlog {
    return this.#appender.unsettled;
  }

  /** Why the room cannot take messages now (its store cannot write), or undefined when it can. */
  ready(): string | undefined {
    return this.#store.ready();
  }

  /** The id of the newest event this instance has delivered: a stream from here misses nothing after it. */
  position(): string {
    return this.#store.lastId();
  }

  /** The newest `limit` public events, and the id a stream continues from after them (for a page). */
  async history(limit: number): Promise<{ events: RoomEvent[]; position: string }> {
    const start = this.#store.lastId();
    const events = await this.#store.recent(limit);
    return {
      events: events.filter((event) => isVisibleTo(event, undefined)),
      position: events.at(-1)?.id ?? start,
    };
  }

  /**
   * A page of older history for the member holding `memberId`: the newest `limit` events before `before`
   * that it may see (public ones and its own private ones, never anyone else's), oldest first, and whether
   * the store keeps anything older. Private events filtered out do not shorten the page: it reads further
   * back until the page is full or the store's start, but over {@link HISTORY_SCAN_MAX} events at most per
   * call; `next` is where the following page starts (the oldest event looked at, shown or not). Null when
   * `before` is not an id of the store.
   */
  async historyBefore(
    memberId: string,
    before: string,
    limit: number,
  ): Promise<{ events: RoomEvent[]; more: boolean; next: string } | null> {
    const visible: RoomEvent[] = [];
    // Each read asks for at least a page, so a run of others' private messages costs few round trips.
    const chunk = Math.max(limit, 100);
    let cursor = before;
    let scanned = 0;
    const page = (more: boolean) => {
      const events = visible.slice(-limit);
      return { events, more, next: events.length < visible.length ? events[0].id : cursor };
    };
    for (;;) {
      const events = await this.#store.before(cursor, chunk);
      if (events === null) return cursor === before ? null : page(true);
      visible.unshift(...events.filter((event) => isVisibleTo(event, memberId)));
      if (events.length === 0) return page(visible.length > limit);
      cursor = events[0].id;
      scanned += events.length;
      if (visible.length > limit) return page(true);
      if (visible.length === limit) return page((await this.#store.before(cursor, 1))?.length !== 0);
      // Someone else's private messages, page after page: the member pages on from `next` next time.
      if (scanned >= HISTORY_SCAN_MAX) return page(true);
    }
  }

  /**
   * One line of input from a member: a message, an action, a private message or a command, resolved once
   * it is done (a message: stored and delivered here). With a `key` (a web send's own), a retry within two
   * minutes gets the first outcome and sends nothing again. On a shared directory (Redis) the flood limit is
   * the member's across every instance (one bucket, one round trip per line that passes the other checks).
   */
  input(member: Member, raw: string, key?: string): Promise<Outcome> {
    return this.#receipts.once(member.id, key, async () => {
      const judged = this.#judge(member, raw);
      if (!isIntent(judged)) return await judged;
      const { burst, rate } = member.bucket;
      const wait = this.#directory.flood ? await this.#directory.flood(member.id, burst, rate) : member.bucket.take();
      if (wait > 0) return flooded(wait);
      const said = this.#act(member, judged);
      return await (said instanceof Sending ? said.done : said);
    }).catch((cause) => {
      log.error("room.receipt_failed", errorFields(cause));
      return REFUSED;
    });
  }

  /**
   * Takes one line without waiting for the store, for a door that reads lines as they come (TCP, whose member
   * lives on this instance alone, so its own flood bucket is the only one): an outcome decided at once (a
   * flood wait among them), a {@link Sending} for a line on its way to the store (shared by every line of the
   * turn; nothing need wait for it), or the promise of an answer that waits until the member's own earlier
   * lines were delivered.
   */
  say(member: Member, raw: string): Outcome | Sending | Promise<Outcome> {
    const judged = this.#judge(member, raw);
    if (!isIntent(judged)) return judged;
    const wait = member.bucket.take();
    if (wait > 0) return flooded(wait);
    return this.#act(member, judged);
  }

  /** What can be said of a line before the flood limit: an outcome, or what the member wants done. */
  #judge(member: Member, raw: string): Outcome | Promise<Outcome> | Exclude<Intent, { type: "quit" }> {
    if (!member.present) return error("not_present", "you are not in the room");
    // A UTF-16 code unit is at most 3 bytes of UTF-8: most lines are measured without encoding them.
    if (raw.length * 3 > this.limits.maxMessageBytes && encoder.encode(raw).length > this.limits.maxMessageBytes) {
      return this.#answer(
        member,
        () => error("too_long", `message too long (max ${this.limits.maxMessageBytes} bytes), not sent`),
      );
    }
    // IRC's formatting codes are kept for IRC readers; the other doors strip them when they render.
    const text = sanitize(raw, member.door === "irc");
    if (stripIrcFormatting(text).trim() === "") return IGNORED;
    const intent = parseInput(text);
    if (intent.type === "quit") return this.#answer(member, () => QUIT);
    return intent;
  }

  #act(member: Member, intent: Exclude<Intent, { type: "quit" }>): Outcome | Sending | Promise<Outcome> {
    switch (intent.type) {
      case "help":
        return this.#answer(member, () => ({ type: "reply", lines: [...HELP_LINES] }));
      case "who":
        return this.#answer(member, () => ({ type: "reply", lines: whoLines(this.members()) }));
      case "usage":
        return this.#answer(member, () => error("unknown_command", intent.message));
      case "unknown":
        return this.#answer(member, () =>
          error(
            "unknown_command",
            `unknown command /${intent.command}, try /help (start with // to send a line beginning with /)`,
          ));
      case "message":
      case "action":
        return this.#say(member, {
          at: Date.now(),
          kind: intent.type,
          from: member.name,
          fromId: member.id,
          text: intent.text,
        });
      case "private": {
        const to = this.#presence.find(intent.to);
        if (!to) return this.#answer(member, () => error("no_such_member", `no one called ${intent.to} is here`));
        return this.#say(member, {
          at: Date.now(),
          kind: "message",
          from: member.name,
          fromId: member.id,
          to: to.id,
          toName: to.name,
          text: intent.text,
        });
      }
      default:
        return unreachable(intent);
    }
  }

  /** Tells everyone something from the server itself (e.g. that it is shutting down). */
  async announce(text: string): Promise<void> {
    await this.#append({ at: Date.now(), kind: "system", text: sanitize(text) });
  }

  /** Stops following the store (the store itself is closed by its owner). */
  close(): void {
    this.#unsubscribe();
  }

  #member(name: string, door: Door, key: string, keys: readonly string[], id: string): Member {
    return {
      id,
      name,
      door,
      key,
      keys,
      present: false,
      bucket: new TokenBucket(this.limits.floodBurst, this.limits.floodRate),
    };
  }

  async #announceJoin(member: Member): Promise<void> {
    try {
      await this.#directory.enter(member);
    } catch (cause) {
      log.error("room.presence_failed", errorFields(cause));
    }
    await this.#append({ at: Date.now(), kind: "join", from: member.name, fromId: member.id, door: member.door });
  }

  /** The store started over (an emptied Redis): nobody is known present; this instance's members say so again. */
  #rejoin(): void {
    this.#presence.seed([]);
    for (const member of this.#local) {
      if (!member.present) continue;
      this.#directory.claim(member).catch(() => {});
      void this.#announceJoin(member);
    }
  }

  /** `make`'s answer, at once when none of the member's lines is on its way, else once they are delivered. */
  #answer(member: Member, make: () => Outcome): Outcome | Promise<Outcome> {
    return member.lastSend ? member.lastSend.then(make) : make();
  }

  #say(member: Member, event: NewEvent): Sending {
    const batch = this.#appender.add(event);
    if (batch !== this.#sendingFor) {
      this.#sendingFor = batch;
      this.#sending = new Sending(batch.then(() => SENT, (cause) => {
        // The store being away is expected and said to the member; anything else is a defect worth a log line.
        if (!(cause instanceof StoreUnavailable)) log.error("room.append_failed", errorFields(cause));
        return REFUSED;
      }));
    }
    member.lastSend = this.#sending!.done;
    return this.#sending!;
  }

  async #append(event: NewEvent): Promise<void> {
    try {
      await this.#appender.add(event);
    } catch (cause) {
      log.error("room.append_failed", { kind: event.kind, ...errorFields(cause) });
    }
  }
}
