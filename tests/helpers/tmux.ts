/**
 * A real terminal for tests: a detached tmux session (its own server socket) runs a command, a test types
 * into it and reads back the screen exactly as a user would see it.
 *
 * @example
 * ```ts
 * import { Tmux } from "./tmux.ts";
 * export async function echo(): Promise<void> {
 *   await using term = await Tmux.start(["cat"]);
 *   await term.type("hello");
 *   await term.waitFor(/hello/);
 * }
 * ```
 */

import { DEFAULT_TIMEOUT_MS } from "./arrivals.ts";

const POLL_MS = 50;

export class Tmux implements AsyncDisposable {
  private constructor(readonly socket: string) {}

  /** Runs `command` (argv) in an 80×24 terminal. */
  static async start(command: string[], { columns = 80, rows = 24 } = {}): Promise<Tmux> {
    const term = new Tmux(`chat-test-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
    await term.#tmux(
      ["-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", String(columns), "-y", String(rows)],
      ["--", ...command],
    );
    await term.#tmux(["set-option", "-t", "t", "remain-on-exit", "on"]);
    return term;
  }

  /** Types text literally (no key names). */
  async type(text: string): Promise<void> {
    await this.#tmux(["send-keys", "-t", "t", "-l", text]);
  }

  /** Presses keys by tmux name: `Enter`, `C-d`, `Left`… */
  async press(...keys: string[]): Promise<void> {
    await this.#tmux(["send-keys", "-t", "t", ...keys]);
  }

  /** The screen's text, one string per row, trailing blanks trimmed; `colours` keeps the SGR escapes. */
  async screen({ colours = false } = {}): Promise<string[]> {
    const text = await this.#tmux(["capture-pane", "-p", "-t", "t", ...(colours ? ["-e"] : [])]);
    return text.replace(/\n$/, "").split("\n").map((row) => row.trimEnd());
  }

  /** The cursor's column, from 0. */
  async cursorColumn(): Promise<number> {
    return Number(await this.#tmux(["display-message", "-p", "-t", "t", "#{cursor_x}"]));
  }

  /** Waits until the cursor is in `column` (keys typed are taken in by the program a moment later). */
  async waitForCursor(column: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let now = await this.cursorColumn(); now !== column; now = await this.cursorColumn()) {
      if (Date.now() > deadline) throw new Error(`the cursor stayed in column ${now}, not ${column}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Waits until some row of the screen matches, and returns the screen. */
  async waitFor(match: RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.screen();
      if (rows.some((row) => match.test(row))) return rows;
      if (Date.now() > deadline) {
        throw new Error(`no row matched ${match} within ${timeoutMs} ms; the screen:\n${rows.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#tmux(["kill-server"]).catch(() => {});
  }

  async #tmux(args: string[], tail: string[] = []): Promise<string> {
    const { code, stdout, stderr } = await new Deno.Command("tmux", {
      args: ["-L", this.socket, ...args, ...tail],
      env: { TERM: "xterm-256color" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    if (code !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${decoder.decode(stderr)}`);
    return decoder.decode(stdout);
  }
}
