/**
 * The server's log: one line per event on stderr, as readable text (`2026-12-01T16:40:00.123Z INFO
 * tcp.connect address=127.0.0.1 port=50312`) or as one JSON object per line (`--log-format json`). An event
 * is a dotted name and a few fields; what members say is never a field (it is theirs, not the operator's).
 * One process-wide {@link log}, configured once by main.ts, like `console`.
 *
 * @example
 * ```ts
 * import { log } from "./log.ts";
 * log.configure({ format: "json", level: "debug" });
 * log.info("tcp.connect", { address: "127.0.0.1", port: 50312 });
 * // {"time":"…","level":"info","event":"tcp.connect","address":"127.0.0.1","port":50312}
 * ```
 */

export type Level = "debug" | "info" | "warn" | "error";
export type Format = "text" | "json";
export type Value = string | number | boolean | undefined;
export type Fields = Record<string, Value>;

export interface LogOptions {
  format?: Format;
  level?: Level;
  /** Where each line goes (without its newline); stderr by default. */
  write?: (line: string) => void;
  now?: () => Date;
}

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
/** A text value is quoted (as JSON) when it is empty or holds a space, a quote, an `=` or a control character. */
const PLAIN = /^[^\s"=\p{Cc}]+$/u;

export class Logger {
  #format: Format = "text";
  #rank = RANK.info;
  #write: (line: string) => void = (line) => console.error(line);
  #now: () => Date = () => new Date();

  configure(options: LogOptions): void {
    if (options.format) this.#format = options.format;
    if (options.level) this.#rank = RANK[options.level];
    if (options.write) this.#write = options.write;
    if (options.now) this.#now = options.now;
  }

  /** True when lines of `level` are written (to skip building fields nobody will see). */
  enabled(level: Level): boolean {
    return RANK[level] >= this.#rank;
  }

  debug(event: string, fields?: Fields): void {
    this.#log("debug", event, fields);
  }

  info(event: string, fields?: Fields): void {
    this.#log("info", event, fields);
  }

  warn(event: string, fields?: Fields): void {
    this.#log("warn", event, fields);
  }

  error(event: string, fields?: Fields): void {
    this.#log("error", event, fields);
  }

  #log(level: Level, event: string, fields: Fields = {}): void {
    if (RANK[level] < this.#rank) return;
    const time = this.#now().toISOString();
    if (this.#format === "json") {
      this.#write(JSON.stringify({ time, level, event, ...fields }));
      return;
    }
    let line = `${time} ${level.toUpperCase()} ${event}`;
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const text = String(value);
      line += ` ${name}=${PLAIN.test(text) ? text : JSON.stringify(text)}`;
    }
    this.#write(line);
  }
}

export const log = new Logger();

/** An error as log fields: its message, and its stack when asked (for the unexpected ones). */
export function errorFields(error: unknown, stack = false): Fields {
  const message = error instanceof Error ? error.message : String(error);
  return { error: message, stack: stack && error instanceof Error ? error.stack : undefined };
}
