/**
 * One IRC client, from `CAP LS` to `QUIT`: registration (CAP negotiation, `NICK`, `USER`), then the member
 * is in the room's one channel and reads it as a {@link Reader}, through its own bounded {@link Outbox},
 * like a TCP connection. Names are the room's (claimed at `NICK`, so a taken or invalid one gets 433/432 with
 * the room's reason); messages, actions and private messages become the room's `/me` and `/msg`.
 *
 * Time comes in through {@link IrcOptions.timers} and {@link IrcOptions.now}, so registration and ping
 * timeouts are tested without sleeping.
 */
import { GLOBAL_TIMERS, type Timers } from "../async/timers.ts";
import type { PORTS } from "../../common/doors.ts";
import type { LeaveReason, RoomEvent } from "../room/events.ts";
import type { Round } from "../room/round.ts";
import { TokenBucket } from "../room/flood.ts";
import { type Member, type Outcome, Sending } from "../room/room.ts";
import { LineConnection, type LineHost } from "../tcp/line_connection.ts";
import type { LineItem } from "../tcp/line_reader.ts";
import type { LineTransport } from "../tcp/transport.ts";
import { type IrcMessage, lineTooLong, parseMessage, serializeMessage } from "./message.ts";
import { CTCP, type IrcRenderer, mask } from "./render.ts";
import { ERR, MAX_TARGETS, RPL } from "./replies.ts";
import { Registration } from "./registration.ts";
import { isChannel, lusers, mode, names, type QueryContext, type Reply, TOPIC, topic, who, whois } from "./queries.ts";

export interface IrcOptions {
  maxLine: number;
  sendq: number;
  history: number;
  registrationTimeoutMs: number;
  /** Silence after which the server pings the client; as long again without an answer and it is dropped. */
  pingMs: number;
  /** The room's channel, `#chat`. */
  channel: string;
  serverName: string;
  network: string;
  floodBurst: number;
  floodRate: number;
  timers?: Timers;
  now?: () => number;
}

/** The IRC door's two ports, as logs and metrics name them. */
export type IrcLabel = typeof PORTS.irc[number];

/** What a connection needs from its door. */
export interface IrcHost extends LineHost {
  readonly options: IrcOptions;
  readonly render: IrcRenderer;
}

/** Commands a client may send before it is registered. */
const BEFORE_REGISTRATION = new Set(["CAP", "PASS", "NICK", "USER", "PING", "PONG", "QUIT"]);
/** Member ids a connection remembers as its own (see `#own`): the current one and those before it, whose leaves may still be on their way. */
const OWN_IDS_KEPT = 4;

export class IrcConnection extends LineConnection {
  protected readonly tooSlowLine = "ERROR :Closing Link: SendQ exceeded\r\n";
  nick: string | undefined;
  #registration = new Registration();
  #timers: Timers;
  #now: () => number;
  #registrationTimer: unknown;
  #pingTimer: unknown;
  #lastInput: number;
  #pinged = false;
  #replaying = false;
  /** Every member id this connection was (a NICK change is a new one): their own joins and leaves are not news to it. */
  #ownIds = new Set<string>();
  /** Commands of any kind, paced so no line (NICK, CAP, WHO) can flood the server. */
  #bucket: TokenBucket;
  /** A PRIVMSG to several targets that hit the flood limit: where it goes on when it is retried. */
  #resume: { item: LineItem; next: number } | undefined;

  constructor(transport: LineTransport, private readonly host: IrcHost, label: IrcLabel = "irc") {
    super(transport, host, label);
    const { timers, now, floodBurst, floodRate } = host.options;
    this.#timers = timers ?? GLOBAL_TIMERS;
    this.#now = now ?? (() => performance.now());
    this.#lastInput = this.#now();
    this.#bucket = new TokenBucket(floodBurst * 2, floodRate * 2, this.#now);
  }

  /** The capabilities the client enabled. */
  get caps(): ReadonlySet<string> {
    return this.#registration.caps;
  }

  get #registered(): boolean {
    return this.#registration.registered;
  }

  get #me(): string {
    return this.nick ?? "*";
  }

  protected override starting(): void {
    this.#registrationTimer = this.#timers.setTimeout(() => this.#timedOut(), this.host.options.registrationTimeoutMs);
    this.#schedulePing(this.host.options.pingMs);
  }

  protected override lastLines(): Promise<unknown> | undefined {
    return this.member?.lastSend;
  }

  protected override heard(): void {
    this.#lastInput = this.#now();
    this.#pinged = false;
  }

  protected override nameForLog(): string | undefined {
    return this.nick;
  }

  protected override ending(): void {
    this.#timers.clearTimeout(this.#registrationTimer);
    this.#timers.clearTimeout(this.#pingTimer);
  }

  /** Queues one line (CR LF added). */
  send(line: string): void {
    this.queue(line + "\r\n");
  }

  /** A numeric reply to this client: `:server NNN nick params…`. */
  numeric(code: string, ...params: string[]): void {
    this.send(
      serializeMessage({ source: this.host.options.serverName, verb: code, params: [this.#me, ...params] }, true),
    );
  }

  /** A numeric whose last parameter is a word, not text (a mode string). */
  #bare(code: string, ...params: string[]): void {
    this.send(serializeMessage({ source: this.host.options.serverName, verb: code, params: [this.#me, ...params] }));
  }

  // Reader

  deliver(event: RoomEvent, replayed: boolean): void {
    this.meter.deliveries++;
    const serverTime = this.caps.has("server-time");
    if (replayed && !this.#replaying && !serverTime) this.#notice("--- recent history ---");
    if (replayed) this.#replaying = true;
    this.#deliverOne(event, replayed);
  }

  deliverRound(round: Round): void {
    this.meter.deliveries += round.public.length;
    // Its own lines (without echo-message) and its own join are not for it: such a round goes event by event.
    if (round.public.some((event) => event.fromId && this.#ownIds.has(event.fromId))) {
      for (const event of round.public) this.#deliverOne(event, false);
      return;
    }
    const { render } = this.host;
    this.outbox.push(round.encoded(this.caps.has("server-time") ? render.timedRound : render.plainRound));
  }

  reset(events: RoomEvent[]): void {
    this.#notice("this server fell behind the room: some messages were missed; the recent ones follow");
    for (const event of events) this.#deliverOne(event, true);
  }

  override caughtUp(): void {
    if (this.#replaying && !this.caps.has("server-time")) this.#notice("--- end of history ---");
    this.#replaying = false;
    super.caughtUp();
  }

  /** Ends the session, sends `ERROR :text` and closes once it went out (or after a moment). */
  override closeWith(text: string, reason?: LeaveReason): Promise<void> {
    return super.closeWith(serializeMessage({ verb: "ERROR", params: [text] }, true), reason);
  }

  /**
   * Remembers a member id this connection is now: its own join and leave are no news to it. The last few
   * only: a connection renaming itself all day must not grow.
   */
  #own(id: string): void {
    this.#ownIds.add(id);
    for (const old of this.#ownIds) {
      if (this.#ownIds.size <= OWN_IDS_KEPT) break;
      this.#ownIds.delete(old);
    }
  }

  #deliverOne(event: RoomEvent, replayed: boolean): void {
    if (
      !replayed && (event.kind === "join" || event.kind === "leave") && event.fromId && this.#ownIds.has(event.fromId)
    ) {
      return;
    }
    const lines = this.host.render.lines(event, {
      memberId: this.member?.id,
      nick: this.nick,
      serverTime: this.caps.has("server-time"),
      echo: this.caps.has("echo-message"),
      replayed,
    });
    if (lines.length > 0) this.queue(lines.join("\r\n") + "\r\n");
  }

  #notice(text: string): void {
    const { serverName, channel } = this.host.options;
    this.send(
      serializeMessage({ source: serverName, verb: "NOTICE", params: [this.member ? channel : this.#me, text] }, true),
    );
  }

  #schedulePing(ms: number): void {
    this.#timers.clearTimeout(this.#pingTimer);
    this.#pingTimer = this.#timers.setTimeout(() => this.#checkPing(), Math.max(ms, 1));
  }

  #checkPing(): void {
    if (this.ended) return;
    const { pingMs, serverName } = this.host.options;
    const idle = this.#now() - this.#lastInput;
    if (this.#pinged && idle >= 2 * pingMs) {
      void this.closeWith(`Closing Link: ${this.#me} (Ping timeout: ${Math.round(idle / 1000)} seconds)`, "lost");
      return;
    }
    if (!this.#pinged && idle >= pingMs) {
      this.#pinged = true;
      this.send(serializeMessage({ verb: "PING", params: [serverName] }, true));
      this.#schedulePing(pingMs);
      return;
    }
    this.#schedulePing((this.#pinged ? 2 * pingMs : pingMs) - idle);
  }

  /** One line: ms to wait before it is tried again (flood), or 0 once it is handled. */
  protected line(item: LineItem): number | Promise<number> {
    if ("tooLong" in item) {
      this.numeric(ERR.INPUTTOOLONG, "Input line was too long");
      return 0;
    }
    const { line } = item;
    if (line.trim() === "") return 0;
    if (lineTooLong(line, this.caps.has("message-tags"))) {
      this.numeric(ERR.INPUTTOOLONG, "Input line was too long");
      return 0;
    }
    const message = parseMessage(line);
    if (!message) return 0;
    const verb = message.verb.toUpperCase();
    if (line.includes("\0")) {
      this.numeric(ERR.UNKNOWNERROR, verb.replaceAll("\0", ""), "NUL bytes are not allowed in IRC lines");
      return 0;
    }
    if (this.#resume?.item !== item) {
      const wait = this.#bucket.take();
      if (wait > 0) return wait;
    }
    if (!this.#registered && !BEFORE_REGISTRATION.has(verb)) {
      this.numeric(ERR.NOTREGISTERED, "You have not registered");
      return 0;
    }
    return this.#command(verb, message, item);
  }

  #command(verb: string, message: IrcMessage, item: LineItem): number | Promise<number> {
    const { params } = message;
    const { channel, serverName } = this.host.options;
    switch (verb) {
      case "CAP":
        return this.#cap(params);
      case "PASS":
        return 0;
      case "NICK":
        return this.#nickCommand(params[0]);
      case "USER": {
        const refused = this.#registration.user(params);
        if (refused) {
          this.numeric(refused[0], ...refused.slice(1));
          return 0;
        }
        return this.#maybeRegister();
      }
      case "PING":
        if (params.length === 0) {
          this.numeric(ERR.NEEDMOREPARAMS, "PING", "Not enough parameters");
          return 0;
        }
        this.send(serializeMessage({ source: serverName, verb: "PONG", params: [serverName, params[0]] }, true));
        return 0;
      case "PONG":
        return 0;
      case "QUIT":
        void this.closeWith(`Closing Link: ${this.#me} (Quit: ${params[0] ?? "left the chat"})`, "quit");
        return 0;
      case "JOIN":
        return this.#join(params[0]);
      case "PART":
        return this.#part(params[0]);
      case "PRIVMSG":
      case "NOTICE":
        return this.#privmsg(verb, params, item);
      case "NAMES":
        if (params[0] === undefined || this.#isChannel(params[0])) this.#names();
        else this.numeric(RPL.ENDOFNAMES, params[0], "End of /NAMES list");
        return 0;
      case "WHO":
        this.#reply(who(this.#context(), params[0] ?? channel));
        return 0;
      case "WHOIS":
        this.#reply(whois(this.#context(), params.at(-1)));
        return 0;
      case "TOPIC":
        this.#reply(topic(this.#context(), params));
        return 0;
      case "MODE":
        this.#reply(mode(this.#context(), params));
        return 0;
      case "LUSERS":
        this.#lusers();
        return 0;
      case "MOTD":
        this.numeric(ERR.NOMOTD, "MOTD File is missing");
        return 0;
      case "AWAY":
        if (params[0]) this.numeric(RPL.NOWAWAY, "You have been marked as being away");
        else this.numeric(RPL.UNAWAY, "You are no longer marked as being away");
        return 0;
      default:
        this.numeric(ERR.UNKNOWNCOMMAND, verb, "Unknown command");
        return 0;
    }
  }

  #isChannel(name: string): boolean {
    return isChannel(name, this.host.options.channel);
  }

  #cap(params: string[]): number | Promise<number> {
    const { serverName } = this.host.options;
    for (const { cap, numeric } of this.#registration.cap(params)) {
      if (cap) this.send(serializeMessage({ source: serverName, verb: "CAP", params: [this.#me, ...cap] }, true));
      if (numeric) this.numeric(numeric[0], ...numeric.slice(1));
    }
    return (params[0] ?? "").toUpperCase() === "END" ? this.#maybeRegister() : 0;
  }

  async #nickCommand(wanted: string | undefined): Promise<number> {
    if (wanted === undefined || wanted === "") {
      this.numeric(ERR.NONICKNAMEGIVEN, "No nickname given");
      return 0;
    }
    if (this.nick !== undefined && wanted === this.nick) return 0;
    const { room } = this.host;
    // An IRC nick is one word: a `:` or `#` start would read as something else on IRC.
    if (wanted.startsWith("#") || wanted.startsWith(":")) {
      this.numeric(ERR.ERRONEUSNICKNAME, wanted, "Erroneous nickname: a name may not start with # or :");
      return 0;
    }
    const claim = await room.claim(wanted, "irc");
    if ("error" in claim) {
      const taken = claim.error.includes("taken");
      this.numeric(taken ? ERR.NICKNAMEINUSE : ERR.ERRONEUSNICKNAME, wanted, claim.error);
      return 0;
    }
    if (this.ended) {
      await room.leave(claim, "quit");
      return 0;
    }
    const old = this.member;
    const oldNick = this.nick;
    this.nick = claim.name;
    if (!this.#registered) {
      // Held from now on; the one held before is let go (nobody saw it).
      if (old) await room.leave(old, "quit");
      if (this.ended) {
        await room.leave(claim, "quit");
        return 0;
      }
      this.member = claim;
      return this.#maybeRegister();
    }
    this.send(serializeMessage({ source: mask(oldNick ?? claim.name), verb: "NICK", params: [claim.name] }, true));
    if (!old) {
      // Not in the channel (after a PART): the name is checked, and held again on JOIN.
      await room.leave(claim, "quit");
      return 0;
    }
    // A rename is a leave and a join in the room: the others see both, on every door. The stream goes on
    // as it was (this reader's member id is now the new one's), so nothing said meanwhile is missed.
    this.member = claim;
    this.#own(claim.id);
    await old.lastSend;
    await room.leave(old, "quit");
    if (!this.ended) await room.enter(claim);
    return 0;
  }

  #maybeRegister(): number | Promise<number> {
    const member = this.member;
    if (!this.#registration.ready(member !== undefined)) return 0;
    this.#timers.clearTimeout(this.#registrationTimer);
    this.#welcome();
    return this.#enterChannel(member!);
  }

  #welcome(): void {
    const { serverName, network, channel } = this.host.options;
    const nick = this.nick!;
    this.numeric(RPL.WELCOME, `Welcome to the ${network} IRC door, ${mask(nick)}`);
    this.numeric(RPL.YOURHOST, `Your host is ${serverName}, running the chatroom`);
    this.numeric(RPL.CREATED, "This server was created with the room");
    this.send(
      serializeMessage({ source: serverName, verb: RPL.MYINFO, params: [nick, serverName, "chatroom", "i", "nt"] }),
    );
    this.numeric(
      RPL.ISUPPORT,
      "CHANTYPES=#",
      `NICKLEN=32`,
      "CASEMAPPING=ascii",
      `NETWORK=${network}`,
      "CHANMODES=,,,nt",
      "PREFIX=()",
      `TARGMAX=PRIVMSG:${MAX_TARGETS},NOTICE:${MAX_TARGETS}`,
      `MAXTARGETS=${MAX_TARGETS}`,
      `CHANLIMIT=#:1`,
      `LINELEN=512`,
      "are supported by this server",
    );
    this.#lusers();
    this.numeric(ERR.NOMOTD, `MOTD File is missing; you are in ${channel} already`);
  }

  /** JOIN echo, topic, names; then the history, and the room sees the join. */
  async #enterChannel(member: Member): Promise<number> {
    const { channel } = this.host.options;
    this.#own(member.id);
    this.send(serializeMessage({ source: mask(member.name), verb: "JOIN", params: [channel] }));
    this.numeric(RPL.TOPIC, channel, TOPIC);
    this.#names();
    await this.listenToRoom({ history: this.host.options.history });
    if (!this.ended) await this.host.room.enter(member);
    return 0;
  }

  async #join(target: string | undefined): Promise<number> {
    if (target === undefined || target === "") {
      this.numeric(ERR.NEEDMOREPARAMS, "JOIN", "Not enough parameters");
      return 0;
    }
    if (target === "0") return this.#part(this.host.options.channel);
    for (const name of target.split(",")) {
      if (!this.#isChannel(name)) {
        this.numeric(ERR.NOSUCHCHANNEL, name, `No such channel: this server has one, ${this.host.options.channel}`);
        continue;
      }
      if (this.member) continue; // already in: harmless
      const claim = await this.host.room.claim(this.nick!, "irc");
      if ("error" in claim) {
        this.numeric(ERR.UNAVAILRESOURCE, this.nick!, `cannot join: ${claim.error}`);
        continue;
      }
      // Ended while the name was being claimed (a timeout, a SendQ cut-off): let it go again.
      if (this.ended) {
        await this.host.room.leave(claim, "quit");
        return 0;
      }
      this.member = claim;
      await this.#enterChannel(claim);
    }
    return 0;
  }

  async #part(target: string | undefined): Promise<number> {
    const { channel } = this.host.options;
    if (target === undefined || target === "") {
      this.numeric(ERR.NEEDMOREPARAMS, "PART", "Not enough parameters");
      return 0;
    }
    for (const name of target.split(",")) {
      if (!this.#isChannel(name)) {
        this.numeric(ERR.NOSUCHCHANNEL, name, "No such channel");
        continue;
      }
      const member = this.member;
      if (!member) {
        this.numeric(ERR.NOTONCHANNEL, name, "You're not on that channel");
        continue;
      }
      this.stopListening?.();
      this.stopListening = undefined;
      this.member = undefined;
      await member.lastSend;
      this.send(serializeMessage({ source: mask(member.name), verb: "PART", params: [channel] }));
      await this.host.room.leave(member, "quit");
    }
    return 0;
  }

  #privmsg(verb: "PRIVMSG" | "NOTICE", params: string[], item: LineItem): number | Promise<number> {
    const quiet = verb === "NOTICE";
    if (params.length === 0 || params[0] === "") {
      if (!quiet) this.numeric(ERR.NORECIPIENT, `No recipient given (${verb})`);
      return 0;
    }
    if (params.length < 2 || params[1] === "") {
      if (!quiet) this.numeric(ERR.NOTEXTTOSEND, "No text to send");
      return 0;
    }
    const targets = params[0].split(",").filter((target) => target !== "");
    if (targets.length > MAX_TARGETS) {
      if (!quiet) this.numeric(ERR.TOOMANYTARGETS, params[0].slice(0, 64), `Too many targets (at most ${MAX_TARGETS})`);
      return 0;
    }
    let text = params[1];
    let action = false;
    if (text.startsWith(CTCP)) {
      const ctcp = text.slice(1).endsWith(CTCP) ? text.slice(1, -1) : text.slice(1);
      if (!/^ACTION( |$)/i.test(ctcp)) return 0; // other CTCP (VERSION, PING…) has no meaning in the room
      text = ctcp.slice(7);
      action = true;
      if (text.trim() === "") return 0;
    }
    const start = this.#resume?.item === item ? this.#resume.next : 0;
    this.#resume = undefined;
    for (let i = start; i < targets.length; i++) {
      const wait = this.#sayTo(targets[i], text, action, quiet);
      if (wait > 0) {
        this.#resume = { item, next: i };
        return wait;
      }
    }
    return 0;
  }

  /** One target's line to the room; ms to wait when flooded, else 0. */
  #sayTo(target: string, text: string, action: boolean, quiet: boolean): number {
    const member = this.member;
    const toChannel = target.startsWith("#");
    if (toChannel && !this.#isChannel(target)) {
      if (!quiet) this.numeric(ERR.NOSUCHCHANNEL, target, "No such channel");
      return 0;
    }
    if (!member) {
      if (!quiet) {
        if (toChannel) this.numeric(ERR.CANNOTSENDTOCHAN, target, "Cannot send to channel: you are not in it");
        else this.numeric(ERR.NOSUCHNICK, target, "You are not in the room: JOIN it to send private messages");
      }
      return 0;
    }
    if (toChannel && text.trim() === "{close}") {
      // On the other doors this line means leaving; the room takes it as nothing else.
      if (!quiet) this.numeric(ERR.CANNOTSENDTOCHAN, target, "{close} alone cannot be sent: it means leaving");
      return 0;
    }
    // The room's own input: `//` keeps a leading slash literal, `/me` and `/msg` are the room's commands. The
    // room has no private action: one reads as a private message starting with `* NAME`.
    const raw = toChannel
      ? action ? `/me ${text}` : text.startsWith("/") ? `/${text}` : text
      : `/msg ${target} ${action ? `* ${member.name} ${text}` : text}`;
    return this.#outcomeOf(this.host.room.say(member, raw), target, quiet);
  }

  #outcomeOf(said: Outcome | Sending | Promise<Outcome>, target: string, quiet: boolean): number {
    if (said instanceof Sending) {
      this.meter.messagesIn++;
      void said.done.then((outcome) => this.#outcome(outcome, target, quiet));
      return 0;
    }
    if (said instanceof Promise) {
      void said.then((outcome) => this.#outcome(outcome, target, quiet));
      return 0;
    }
    if (said.type === "error" && said.code === "flood") return said.retryAfterMs ?? 100;
    this.#outcome(said, target, quiet);
    return 0;
  }

  #outcome(outcome: Outcome, target: string, quiet: boolean): void {
    if (outcome.type !== "error" || quiet || this.ended) return;
    if (outcome.code === "no_such_member") {
      this.numeric(ERR.NOSUCHNICK, target, "No such nick: no one by that name is here");
    } else this.numeric(ERR.CANNOTSENDTOCHAN, target, outcome.message);
  }

  #names(): void {
    const self = this.member && !this.member.present ? this.member.name : undefined;
    this.#reply(names(this.#context(), self));
  }

  #lusers(): void {
    this.#reply(lusers(this.host.room.members().length));
  }

  #context(): QueryContext {
    const { channel, serverName } = this.host.options;
    return { channel, serverName, members: this.host.room.members(), nick: this.nick };
  }

  #reply(replies: Reply[]): void {
    for (const { code, params, word } of replies) {
      if (word) this.#bare(code, ...params);
      else this.numeric(code, ...params);
    }
  }

  #timedOut(): void {
    if (this.#registered || this.ended) return;
    const seconds = this.host.options.registrationTimeoutMs / 1000;
    void this.closeWith(`Closing Link: registration timed out (no NICK and USER within ${seconds} s)`, "timeout");
  }
}
