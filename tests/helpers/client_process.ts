/**
 * The terminal client (`client/main.ts`) run as a child process with piped stdin and stdout, as a script
 * would run it: a test types lines into it and waits for the lines it prints (time stamps set apart).
 *
 * @example
 * ```ts
 * import { ChatClient } from "./client_process.ts";
 * import { startServer } from "./server.ts";
 * export async function anaSaysHello(): Promise<void> {
 *   await using server = await startServer();
 *   await using ana = ChatClient.start(server.tcpPort, ["--name", "Ana"]);
 *   await ana.expectLine(/^Hello, Ana!/);
 *   await ana.type("hello");
 * }
 * ```
 */

import { Arrivals, DEFAULT_TIMEOUT_MS } from "./arrivals.ts";

const MAIN = new URL("../../client/main.ts", import.meta.url).pathname;
/** Every line the client prints starts with the time it arrived, or `--:--` for a replayed one. */
const STAMP = /^(\d\d:\d\d|--:--) /;
const encoder = new TextEncoder();

export type TextMatch = string | RegExp;

export class ChatClient implements AsyncDisposable {
  /** Every line printed so far, stamps included. */
  readonly received: string[] = [];
  #unread: string[] = [];
  #arrivals = new Arrivals();
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #reading: Promise<void>;
  #ended = false;

  private constructor(readonly process: Deno.ChildProcess) {
    this.#stdin = process.stdin.getWriter();
    this.#reading = this.#read();
  }

  /** Starts the client against the TCP door on 127.0.0.1:`port`. */
  static start(port: number, args: string[] = []): ChatClient {
    const process = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-read", "--allow-env=NO_COLOR", MAIN, "--port", String(port), ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    return new ChatClient(process);
  }

  /** Types one line (and Enter). */
  async type(line: string): Promise<void> {
    await this.#stdin.write(encoder.encode(line + "\n"));
  }

  /** Ends the input, as Ctrl-D or the end of a piped file does. */
  async endInput(): Promise<void> {
    await this.#stdin.close();
  }

  /** Consumes printed lines until one whose text (after the stamp) matches, and returns the whole line. */
  async expectLine(match: TextMatch, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#unread.length > 0) {
        const line = this.#unread.shift()!;
        if (matches(line, match)) return line;
      }
      const why = this.#ended
        ? "the client exited"
        : await this.#arrivals.wait(deadline)
        ? ""
        : `${timeoutMs} ms passed`;
      if (why) {
        throw new Error(`expected a line matching ${String(match)}, but ${why}; printed:\n${this.#transcript()}`);
      }
    }
  }

  /** How many lines printed so far have text matching `match`. */
  count(match: TextMatch): number {
    return this.received.filter((line) => matches(line, match)).length;
  }

  /** Freezes the process (SIGSTOP): it reads nothing and retries nothing until {@link resume}. */
  pause(): void {
    this.process.kill("SIGSTOP");
  }

  resume(): void {
    this.process.kill("SIGCONT");
  }

  /** The exit code, once the client has ended by itself. */
  async exitCode(): Promise<number> {
    const { code } = await this.process.status;
    await this.#reading;
    return code;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.process.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.process.status;
    await this.#stdin.close().catch(() => {});
    await this.#reading;
  }

  async #read(): Promise<void> {
    let partial = "";
    for await (const text of this.process.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      this.received.push(...lines);
      this.#unread.push(...lines);
      this.#arrivals.notify();
    }
    this.#ended = true;
    this.#arrivals.notify();
  }

  #transcript(): string {
    return this.received.slice(-60).map((line) => `  | ${JSON.stringify(line)}`).join("\n") || "  (nothing)";
  }
}

/** The text of a printed line, without its stamp. */
export function textOf(line: string): string {
  return line.replace(STAMP, "");
}

function matches(line: string, match: TextMatch): boolean {
  const text = textOf(line);
  return typeof match === "string" ? text === match : match.test(text);
}
