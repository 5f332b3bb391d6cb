/**
 * Flags and environment → one typed {@link Config}. Every default lives in {@link OPTIONS}.
 *
 * Precedence: command-line flag, then the `CHAT_*` environment variable, then the default.
 *
 * @example
 * ```ts
 * const config = parseConfig(["--tcp-port", "0"], {});
 * config.tcpPort; // 0: any free port
 * ```
 */
import { MAX_LINE_BYTES } from "../common/limits.ts";
import { parseArgs } from "node:util";
import { TrustedProxies } from "./net/trusted_proxies.ts";

/**
 * count: whole ≥ 0; limit: whole ≥ 1; number: ≥ 0; positive: > 0 (a zero there would stall or spin);
 * boolean: a flag without a value (its variable takes 1/true/yes or 0/false/no).
 */
type Kind = "string" | "port" | "count" | "limit" | "number" | "positive" | "boolean";

interface Option {
  /** The Config field it fills. */
  key: string;
  kind: Kind;
  /** A number option whose default is "" is optional: unset, its value is undefined. */
  default: string | number | boolean;
  help: string;
  /** The only values a string option accepts. */
  choices?: readonly string[];
  /** The largest value a number option accepts. */
  max?: number;
  /** The environment variable, when it is not simply `CHAT_` + the flag. */
  env?: string;
  /** A duration: given in seconds, kept in the Config in milliseconds (its key ends in `Ms`). */
  ms?: true;
}

/** Durations become timers, and a timer longer than 2^31-1 ms fires at once instead of never. */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Flag name → option. Environment names mirror them: `--tcp-port` ↔ `CHAT_TCP_PORT`. */
const OPTION_TABLE = {
  "host": {
    key: "host",
    kind: "string",
    default: "127.0.0.1",
    help: "address both doors listen on",
  },
  "tcp-port": {
    key: "tcpPort",
    kind: "port",
    default: 60000,
    help: "TCP door port (0: any free port)",
  },
  "http-port": {
    key: "httpPort",
    kind: "port",
    default: 8000,
    help: "web door port (0: any free port)",
  },
  "history": {
    key: "history",
    kind: "count",
    default: 20,
    // Every history is read into memory at once (for a newcomer, a page, a reset): kept small.
    max: 1000,
    help: "events replayed on join (at most 1000)",
  },
  "max-line": {
    key: "maxLine",
    kind: "limit",
    default: MAX_LINE_BYTES,
    help: "longest line or message, in bytes of UTF-8",
  },
  "flood-burst": {
    key: "floodBurst",
    kind: "limit",
    default: 10,
    help: "lines a member may send at once",
  },
  "flood-rate": {
    key: "floodRate",
    kind: "positive",
    default: 5,
    help: "lines per second after the burst",
  },
  "registration-timeout": {
    key: "registrationTimeoutMs",
    ms: true,
    kind: "positive",
    default: 60,
    max: MAX_SECONDS,
    help:
      "seconds a new TCP connection has to give a name (an IRC one to register), or a web sign-in to open its stream",
  },
  "sendq": {
    key: "sendq",
    kind: "limit",
    default: 256 * 1024,
    help: "bytes queued behind a socket that stopped taking them before its reader is cut off",
  },
  "backlog": {
    key: "backlog",
    kind: "limit",
    default: 16 * 1024 * 1024,
    help: "bytes the server may have queued for readers that take them before input waits (overload)",
  },
  "max-per-address": {
    key: "maxPerAddress",
    kind: "limit",
    default: 16,
    help: "connections per remote address (loopback exempt)",
  },
  "max-connections": {
    key: "maxConnections",
    kind: "limit",
    default: 10_000,
    help: "connections in all",
  },
  "exempt": {
    key: "exempt",
    kind: "string",
    default: "loopback",
    choices: ["loopback", "none"],
    help: "addresses exempt from --max-per-address: loopback or none",
  },
  "db": {
    key: "db",
    kind: "string",
    default: "./data/chat.db",
    help: "SQLite file for the room's log; the folder is created (:memory: keeps it in memory only)",
  },
  "redis": {
    key: "redis",
    kind: "string",
    default: "",
    env: "CHAT_REDIS_URL",
    help: "Redis URL (redis://host:port) for several instances sharing one room; replaces --db",
  },
  "retain": {
    key: "retain",
    kind: "count",
    default: 100_000,
    help: "events kept (with --redis the room's number, set by its first instance; others say so and use it)",
  },
  "grace": {
    key: "graceMs",
    ms: true,
    kind: "number",
    default: 5,
    max: MAX_SECONDS,
    help: "seconds a web member stays after its last stream closes",
  },
  "heartbeat": {
    key: "heartbeatMs",
    ms: true,
    kind: "positive",
    default: 15,
    max: MAX_SECONDS,
    help: "seconds between SSE heartbeat comments",
  },
  "tls-cert": {
    key: "tlsCert",
    kind: "string",
    default: "",
    help:
      "PEM certificate (chain) file: with --tls-key, the web door serves HTTPS and the TCP door also TLS on --tls-port; reread on SIGHUP",
  },
  "tls-key": {
    key: "tlsKey",
    kind: "string",
    default: "",
    help: "PEM private key file of --tls-cert",
  },
  "tls-port": {
    key: "tlsPort",
    kind: "port",
    default: 60001,
    help: "TCP door port for TLS clients, with --tls-cert (0: any free port)",
  },
  "no-plain-tcp": {
    key: "noPlainTcp",
    kind: "boolean",
    default: false,
    help: "serve the TCP door over TLS only (needs --tls-cert); the variable takes 1 or 0",
  },
  "irc-port": {
    key: "ircPort",
    kind: "port",
    default: "",
    help: "IRC door port, on --host (6667 is the usual; 0: any free port); off unless given",
  },
  "irc-tls-port": {
    key: "ircTlsPort",
    kind: "port",
    default: "",
    help: "IRC door port for TLS clients, with --tls-cert (6697 is the usual; 0: any free port); off unless given",
  },
  "irc-channel": {
    key: "ircChannel",
    kind: "string",
    default: "#chat",
    help: "the channel IRC clients find the room in",
  },
  "irc-ping": {
    key: "ircPingMs",
    ms: true,
    kind: "positive",
    default: 60,
    max: MAX_SECONDS,
    help: "seconds of silence before the IRC door pings a client; as long again unanswered and it is dropped",
  },
  "metrics-port": {
    key: "metricsPort",
    kind: "port",
    default: "",
    help: "serve /metrics (and /healthz, /readyz) on this port only, not on the web door (0: any free port)",
  },
  "metrics-host": {
    key: "metricsHost",
    kind: "string",
    default: "127.0.0.1",
    help: "address the --metrics-port listens on",
  },
  "log-format": {
    key: "logFormat",
    kind: "string",
    default: "text",
    choices: ["text", "json"],
    help: "logs on stderr: text (one readable line per event) or json (one object per line)",
  },
  "log-level": {
    key: "logLevel",
    kind: "string",
    default: "info",
    choices: ["debug", "info", "warn", "error"],
    help: "the least important log lines shown: debug, info, warn or error",
  },
  "header-timeout": {
    key: "headerTimeoutMs",
    ms: true,
    kind: "positive",
    default: 30,
    max: MAX_SECONDS,
    help: "seconds an HTTP request head may take to arrive whole (else 408 and the connection is closed)",
  },
  "request-timeout": {
    key: "requestTimeoutMs",
    ms: true,
    kind: "positive",
    default: 30,
    max: MAX_SECONDS,
    help: "seconds a whole HTTP request, head and body, may take to arrive (at least --header-timeout)",
  },
  "idle-timeout": {
    key: "idleTimeoutMs",
    ms: true,
    kind: "positive",
    default: 5,
    max: MAX_SECONDS,
    help: "seconds an idle keep-alive HTTP connection is kept open",
  },
  "public-host": {
    key: "publicHost",
    kind: "string",
    default: "",
    help: "names the web door also answers for behind a proxy (NAME or NAME:PORT, comma-separated)",
  },
  "trust-proxy": {
    key: "trustProxy",
    kind: "string",
    default: "",
    help: "proxies believed about the client's address (CIDR[,CIDR…]): X-Forwarded-For or Forwarded on the web " +
      "door, a PROXY protocol header on the TCP door with --proxy-protocol",
  },
  "proxy-protocol": {
    key: "proxyProtocol",
    kind: "boolean",
    default: false,
    help: "connections to the plain TCP and IRC ports from --trust-proxy peers begin with a PROXY protocol header " +
      "(v1 or v2); the variable takes 1 or 0",
  },
} as const satisfies Record<string, Option>;

/** Every option by its flag, for the parser and `--help`. */
export const OPTIONS: Readonly<Record<string, Option>> = OPTION_TABLE;

type Table = typeof OPTION_TABLE;

/** What an option's value is in the Config: its choices, a string, a flag, or a number (unset: undefined). */
type ValueOf<O extends Option> = O extends { choices: readonly (infer C)[] } ? C
  : O["kind"] extends "string" ? string
  : O["kind"] extends "boolean" ? boolean
  : O["default"] extends "" ? number | undefined
  : number;

/** The server's settings, one field per option of the table (durations in milliseconds). */
export type Config = { -readonly [F in keyof Table as Table[F]["key"]]: ValueOf<Table[F]> };

export class ConfigError extends Error {}

/** Parses flags (and `CHAT_*` environment variables) into a Config; throws ConfigError on bad input. */
export function parseConfig(
  args: string[],
  env: Record<string, string | undefined>,
): Config {
  const { values } = parseArgs({
    // `deno task start -- --flag` passes the "--" through.
    args: args[0] === "--" ? args.slice(1) : args,
    strict: true,
    options: Object.fromEntries(
      Object.entries(OPTIONS).map(([flag, { kind }]) => [flag, { type: kind === "boolean" ? "boolean" : "string" }]),
    ),
  });
  const config: Record<string, string | number | boolean | undefined> = {};
  for (const [flag, option] of Object.entries(OPTIONS)) {
    const raw = values[flag] ?? env[envName(flag)];
    const value = raw === undefined ? defaultValue(option) : convert(flag, option, raw);
    config[option.key] = option.ms && typeof value === "number" ? value * 1000 : value;
    if (option.choices && !option.choices.includes(String(config[option.key]))) {
      throw new ConfigError(`--${flag}: expected ${option.choices.join(" or ")}, got "${raw}"`);
    }
  }
  return checkTogether(config as unknown as Config);
}

/** What several options mean only together. */
function checkTogether(config: Config): Config {
  if ((config.tlsCert === "") !== (config.tlsKey === "")) {
    throw new ConfigError("--tls-cert and --tls-key go together: give both or neither");
  }
  if (config.noPlainTcp && config.tlsCert === "") {
    throw new ConfigError("--no-plain-tcp needs --tls-cert and --tls-key: the TCP door would have no port");
  }
  if (config.headerTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError(
      `--header-timeout (${config.headerTimeoutMs / 1000}) must not be longer than --request-timeout (${
        config.requestTimeoutMs / 1000
      })`,
    );
  }
  if (config.ircTlsPort !== undefined && config.tlsCert === "") {
    throw new ConfigError("--irc-tls-port needs --tls-cert and --tls-key");
  }
  // deno-lint-ignore no-control-regex -- control characters are what a channel name may not hold
  if (!/^#[^\s,\x00-\x1f]{1,49}$/.test(config.ircChannel)) {
    throw new ConfigError(`--irc-channel: expected # and a name without spaces or commas, got "${config.ircChannel}"`);
  }
  try {
    TrustedProxies.parse(config.trustProxy);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (config.proxyProtocol && config.trustProxy.trim() === "") {
    throw new ConfigError("--proxy-protocol needs --trust-proxy: only the proxies named there may send the header");
  }
  return config;
}

function defaultValue(option: Option): string | number | boolean | undefined {
  return option.default === "" && option.kind !== "string" ? undefined : option.default;
}

/** `tcp-port` → `CHAT_TCP_PORT`. */
export function envName(flag: string): string {
  return OPTIONS[flag]?.env ?? "CHAT_" + flag.toUpperCase().replaceAll("-", "_");
}

const TRUE = ["1", "true", "yes"];
const FALSE = ["0", "false", "no", ""];

function convert(flag: string, { kind, max }: Option, given: string | boolean): string | number | boolean {
  if (typeof given === "boolean") return given;
  const raw = given;
  if (kind === "string") return raw;
  if (kind === "boolean") {
    if (TRUE.includes(raw.toLowerCase())) return true;
    if (FALSE.includes(raw.toLowerCase())) return false;
    throw new ConfigError(`--${flag}: expected 1 or 0 in ${envName(flag)}, got "${raw}"`);
  }
  const value = Number(raw);
  const whole = kind === "port" || kind === "count" || kind === "limit";
  const ok = raw.trim() !== "" && Number.isFinite(value) && value >= 0 &&
    (!whole || Number.isInteger(value)) &&
    (kind !== "port" || value <= 65535) &&
    (kind !== "limit" && kind !== "positive" || value > 0);
  if (!ok) {
    const expected = {
      port: "a port from 0 to 65535",
      count: "a whole number ≥ 0",
      limit: "a whole number ≥ 1",
      number: "a number ≥ 0",
      positive: "a number > 0",
    }[kind as Exclude<Kind, "string" | "boolean">];
    throw new ConfigError(`--${flag}: expected ${expected}, got "${raw}"`);
  }
  if (max !== undefined && value > max) throw new ConfigError(`--${flag}: expected at most ${max}, got "${raw}"`);
  return value;
}

/** The `--help` text, generated from {@link OPTIONS} so it cannot drift from the parser. */
export function usage(): string {
  const lines = [
    "Usage: deno task start [-- OPTIONS]",
    "",
    "Options (environment variable in brackets):",
  ];
  for (const [flag, option] of Object.entries(OPTIONS)) {
    lines.push(
      `  --${flag.padEnd(22)} ${option.help} (default ${shownDefault(option)}) [${envName(flag)}]`,
    );
  }
  lines.push("  --help                   this text");
  return lines.join("\n");
}

/** A default as `--help` shows it: an empty one reads "none", a boolean "off" or "on". */
export function shownDefault(option: Option): string {
  if (typeof option.default === "boolean") return option.default ? "on" : "off";
  return option.default === "" ? "none" : String(option.default);
}
