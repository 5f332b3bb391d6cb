/**
 * The client's life: connect, sign in, show the room, and when the connection goes, say so once, retry with
 * {@link backoffDelay} and rejoin under the same name, showing only what was said meanwhile.
 *
 * The protocol has no ids and no marker where the replayed history ends, so after each sign-in the client sends
 * `/who` and hides its answer: everything between the greeting and that answer is the replay (plus, at its
 * end, the first live lines), which {@link planReplay} matches against what was already shown.
 *
 * Lines typed while offline are kept (at most {@link MAX_PENDING}, shown as pending) and sent, in order, once
 * the client is back in the room; a quit while offline says how many were not sent.
 *
 * Time, randomness, the network and the screen are injected, so the reconnect policy is tested in milliseconds.
 */
import { backoffDelay } from "./backoff.ts";
import type { InputQueue } from "./input_queue.ts";
import type { LineConn } from "./line_conn.ts";
import { TooLong } from "./line_splitter.ts";
import { classify, isRoomLine, type LineKind, renderLine } from "./render.ts";
import { planReplay } from "./replay.ts";
import { Transcript } from "./transcript.ts";

export const OFFLINE = "server offline — reconnecting…";
export const GAP = "some lines said while you were away may be missing";
export const MAX_PENDING = 100;
/** How long a quit waits for the server's `Goodbye!` before closing the socket itself. */
export const GOODBYE_MS = 2_000;
const PROMPT = "Enter your name:";
const HISTORY_HEADER = "--- recent history ---";
/** The first line of the answer to `/who`; the names follow, each indented by two spaces. */
const WHO_HEADER = /^\d+ online:$/;
const QUIT = /^(\/quit(\s|$)|\{close\}$)/i;
/** The refusal of a name someone holds: on a rejoin, maybe our own lost connection, not yet noticed. */
const TAKEN = /^! the name ".*" is taken/;
/** The pause between two asks for a name still held. */
export const REJOIN_RETRY_MS = 1_000;

export interface Screen {
  /** Prints one finished line above whatever is being typed. */
  print(text: string): void;
  /** Whether the line being typed is a name or a message. */
  setPrompt(mode: "name" | "chat"): void;
}

export interface SessionDeps {
  connect(): Promise<LineConn>;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** In [0, 1): the jitter of the backoff. */
  random(): number;
  now(): Date;
  screen: Screen;
  input: InputQueue;
  colour: boolean;
  /** How long a rejoin keeps asking for its own name while it is taken (client/args.ts `--rejoin-wait`). */
  rejoinWaitMs: number;
}

interface Naming {
  /** The name last sent. */
  tried: string | undefined;
  /** The last line was a refusal. */
  refused: boolean;
  /** The last refusal said the name is taken. */
  taken: boolean;
  rejoining: boolean;
  /** When this connection's sign-in started (ms, from `now()`). */
  since: number;
  /** The wait for our own name was announced. */
  waitSaid: boolean;
}

export class Session {
  #name: string | undefined;
  #conn: LineConn | undefined;
  /** Named, replay shown: what is typed goes to the server. */
  #online = false;
  #everJoined = false;
  /**
   * When the first rejoin of this outage began (ms): the wait for a taken name counts from there, across
   * reconnects (a server that times the sign-in out must not restart it). Cleared once back in the room.
   */
  #rejoinSince: number | undefined;
  #pending: string[] = [];
  #quitting = false;
  #stop = new AbortController();
  #transcript = new Transcript();
  #nameWanted: ((name: string | null) => void) | undefined;
  #wakeInput: () => void = () => {};

  constructor(readonly deps: SessionDeps, name?: string) {
    this.#name = name;
  }

  /** Runs until the user leaves. */
  async run(): Promise<void> {
    this.#takeInput();
    let attempt = 0;
    let saidOffline = false;
    while (!this.#quitting) {
      const connecting = this.deps.connect().catch(() => undefined);
      const conn = await Promise.race([connecting, this.#stopped()]);
      if (this.#quitting) {
        connecting.then((late) => late?.close());
        break;
      }
      if (conn) {
        this.#conn = conn;
        await this.#serve(conn, () => {
          if (saidOffline) this.#notice(`${this.#everJoined ? "reconnected" : "connected"} as ${this.#name}`);
          attempt = 0;
          saidOffline = false;
        });
        this.#conn = undefined;
        this.#online = false;
        conn.close();
        if (this.#quitting) break;
      }
      if (!saidOffline) this.#notice(OFFLINE);
      saidOffline = true;
      await this.deps.sleep(backoffDelay(attempt++, this.deps.random), this.#stop.signal);
    }
  }

  /** Ctrl-C, or a signal: leave now. */
  interrupt(): void {
    this.#quit();
  }

  /** Serves one connection until it ends: signs in, shows the replay, then the live room. */
  async #serve(conn: LineConn, onJoin: () => void): Promise<void> {
    const rejoining = this.#everJoined;
    if (rejoining) this.#rejoinSince ??= this.deps.now().getTime();
    const since = this.#rejoinSince ?? this.deps.now().getTime();
    const naming: Naming = { tried: this.#name, refused: false, taken: false, rejoining, since, waitSaid: false };
    let phase: "naming" | "replay" | "who" | "live" = "naming";
    let replay: string[] = [];
    let sawHeader = false;
    for await (const line of conn.lines()) {
      if (line instanceof TooLong) {
        this.#notice(`a line from the server was too long (over ${line.max} bytes) and was skipped`);
        continue;
      }
      if (phase === "naming") {
        if (line.startsWith("Hello, ")) {
          this.#name = line.match(/^Hello, (.+?)! Online/)?.[1] ?? naming.tried!;
          onJoin();
          this.#print(line, "info");
          phase = "replay";
          conn.write("/who").catch(() => {});
        } else if (!await this.#signIn(line, conn, naming)) break;
      } else if (phase === "replay") {
        if (WHO_HEADER.test(line) || line.startsWith("! ")) {
          this.#showReplay(replay, sawHeader, rejoining);
          replay = [];
          phase = "who";
          this.#goOnline(conn);
        } else if (line === HISTORY_HEADER) sawHeader = true;
        else replay.push(line);
      } else {
        if (phase === "who" && line.startsWith("  ")) continue;
        phase = "live";
        this.#show(line, this.deps.now());
      }
    }
  }

  /**
   * One line of the sign-in: the greeting and the prompt get a name (the one known, else the user's), a
   * refusal is shown. Only a refusal followed by the prompt refuses the name; a refusal that ends the
   * connection (server full, timed out) does not. False when the user left instead of giving a name.
   */
  async #signIn(line: string, conn: LineConn, naming: Naming): Promise<boolean> {
    if (!line.endsWith(PROMPT)) {
      naming.refused = line.startsWith("! ");
      naming.taken = TAKEN.test(line);
      if (!(naming.taken && this.#waitingForOwnName(naming))) this.#print(line, naming.refused ? "error" : "info");
      return true;
    }
    if (naming.taken && this.#waitingForOwnName(naming)) {
      if (!naming.waitSaid) this.#notice(`${naming.tried} is still held by the lost connection; waiting for it`);
      naming.waitSaid = true;
      await this.deps.sleep(REJOIN_RETRY_MS, this.#stop.signal).catch(() => {});
      if (this.#quitting) return false;
      conn.write(naming.tried!).catch(() => {});
      return true;
    }
    if (naming.refused) {
      if (naming.rejoining && naming.tried === this.#name) this.#notice(`could not rejoin as ${naming.tried}`);
      this.#name = undefined;
    }
    // The greeting is shown once; the bare prompt only when the user has to answer it.
    if (line === PROMPT ? !this.#name : !naming.rejoining) this.#print(line, "info");
    const name = this.#name ?? await this.#askName();
    if (name === null || this.#quitting) return false;
    naming.tried = name;
    conn.write(name).catch(() => {});
    return true;
  }

  /** A rejoin refused its own name, still within `rejoinWaitMs`: it asks again instead of giving up. */
  #waitingForOwnName(naming: Naming): boolean {
    return naming.rejoining && naming.tried === this.#name &&
      this.deps.now().getTime() - naming.since < this.deps.rejoinWaitMs;
  }

  #showReplay(replay: string[], sawHeader: boolean, rejoining: boolean): void {
    const { gap, history, live } = planReplay(replay, this.#name!, this.#transcript);
    if (rejoining && gap) this.#notice(GAP);
    if (!rejoining && sawHeader && history.length > 0) this.#print(HISTORY_HEADER, "info", null);
    for (const line of history) this.#show(line, null);
    for (const line of live) this.#show(line, this.deps.now());
  }

  #goOnline(conn: LineConn): void {
    this.#online = true;
    this.#everJoined = true;
    this.#rejoinSince = undefined;
    const pending = this.#pending.splice(0);
    if (pending.length > 0) this.#notice(`sending ${plural(pending.length, "pending line")}`);
    for (const line of pending) this.#send(conn, line);
    this.#wakeInput();
  }

  /** A server line, shown and, if it belongs to the room's log, remembered for de-duplication. */
  #show(line: string, time: Date | null): void {
    const kind = classify(line);
    this.#print(line, kind, time);
    if (isRoomLine(kind)) this.#transcript.record(line);
  }

  #print(line: string, kind: LineKind, time: Date | null = this.deps.now()): void {
    this.deps.screen.print(renderLine(line, kind, time, this.deps.colour));
  }

  #notice(text: string): void {
    this.#print(text, "notice");
  }

  #askName(): Promise<string | null> {
    this.deps.screen.setPrompt("name");
    return new Promise((resolve) => {
      this.#nameWanted = (name) => {
        this.deps.screen.setPrompt("chat");
        resolve(name);
      };
      this.#wakeInput();
    });
  }

  /** Takes what is typed whenever it can be used: a name when one is asked for, anything once in the room. */
  async #takeInput(): Promise<void> {
    while (!this.#quitting) {
      if (!this.#nameWanted && !this.#everJoined) {
        await new Promise<void>((resolve) => this.#wakeInput = resolve);
        continue;
      }
      const item = await this.deps.input.next();
      if (this.#quitting) return;
      if ("end" in item || QUIT.test(item.line.trim())) {
        this.#quit();
        return;
      }
      const answer = this.#nameWanted;
      this.#nameWanted = undefined;
      if (answer) answer(item.line.trim());
      else this.#submit(item.line);
    }
  }

  #submit(line: string): void {
    if (line.trim() === "") return;
    if (this.#online && this.#conn) this.#send(this.#conn, line);
    else this.#hold(line);
  }

  #send(conn: LineConn, line: string): void {
    conn.write(line).catch(() => this.#hold(line));
  }

  #hold(line: string): void {
    if (this.#pending.length >= MAX_PENDING) {
      this.#print(`! not sent, ${MAX_PENDING} lines are already waiting: ${line}`, "error");
      return;
    }
    this.#pending.push(line);
    this.#print(`(pending) ${line}`, "pending");
  }

  #quit(): void {
    if (this.#quitting) return;
    this.#quitting = true;
    this.#stop.abort();
    this.#nameWanted?.(null);
    const unsent = this.#pending.length + this.deps.input.untakenLines;
    if (unsent > 0) this.#print(`! ${plural(unsent, "line")} not sent`, "error");
    const conn = this.#conn;
    if (!conn) return;
    conn.write("{close}").catch(() => conn.close());
    this.deps.sleep(GOODBYE_MS, new AbortController().signal).then(() => conn.close());
  }

  #stopped(): Promise<undefined> {
    return new Promise((resolve) => {
      if (this.#stop.signal.aborted) resolve(undefined);
      this.#stop.signal.addEventListener("abort", () => resolve(undefined), { once: true });
    });
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
