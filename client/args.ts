/** Command-line flags → the client's options (`deno task client --help` lists them). */
import { parseArgs } from "node:util";
import { MAX_LINE_BYTES } from "../common/limits.ts";

export interface ClientOptions {
  host: string;
  port: number;
  /** Asked for at the prompt when missing. */
  name: string | undefined;
  /** Speak TLS (the server's `--tls-port`, 60001 by default). */
  tls: boolean;
  /** A CA certificate file (PEM) to trust besides the system's, e.g. a server's self-signed one. */
  ca: string | undefined;
  /** The server's `--max-line`: server lines longer than such a message and its framing are skipped. */
  maxLine: number;
  /** How long a rejoin keeps asking for its own name while the server says it is taken (ms). */
  rejoinWaitMs: number;
}

/** The server's own default `--max-line`. */
export const DEFAULT_MAX_LINE = MAX_LINE_BYTES;
/**
 * Seconds a rejoin keeps asking for its own name while it is taken: the server frees a lost member's name
 * when it notices the loss; with several instances, a killed instance's names within ~13 s.
 */
export const DEFAULT_REJOIN_WAIT = 30;

export class ArgsError extends Error {}

export const USAGE = `usage: deno task client [--host HOST] [--port PORT] [--name NAME]
                        [--tls [--ca FILE]] [--max-line BYTES] [--rejoin-wait SECONDS]

  --host HOST        the chat server (default 127.0.0.1)
  --port PORT        its TCP door (default 60000, or 60001 with --tls)
  --name NAME        sign in as NAME (asked for when missing, or when the server refuses it)
  --tls              connect with TLS (the server's --tls-port)
  --ca FILE          trust this CA certificate (PEM) too, e.g. a self-signed server's
  --max-line BYTES   the server's --max-line (default ${DEFAULT_MAX_LINE}): longer lines from it are skipped
  --rejoin-wait SECONDS
                     after a lost connection, how long to keep asking for your own name while the
                     server still holds it for the lost one (default ${DEFAULT_REJOIN_WAIT}; 0: give it up at once)
  --help             this text

Type /quit, Ctrl-C or Ctrl-D to leave; /help lists the server's commands.`;

/** Parses `args`; throws {@link ArgsError} with a one-line reason. `--help` is the caller's to check. */
export function parseClientArgs(args: string[]): ClientOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string" },
        name: { type: "string" },
        tls: { type: "boolean", default: false },
        ca: { type: "string" },
        "max-line": { type: "string", default: String(DEFAULT_MAX_LINE) },
        "rejoin-wait": { type: "string", default: String(DEFAULT_REJOIN_WAIT) },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ArgsError(error instanceof Error ? error.message : String(error));
  }
  const rawPort = values.port ?? (values.tls ? "60001" : "60000");
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
    throw new ArgsError(`--port must be a number from 1 to 65535, not "${rawPort}"`);
  }
  if (values.host.trim() === "") throw new ArgsError("--host must not be empty");
  if (values.ca !== undefined && !values.tls) throw new ArgsError("--ca goes with --tls");
  const rawMaxLine = values["max-line"];
  const maxLine = Number(rawMaxLine);
  if (!/^\d+$/.test(rawMaxLine) || maxLine < 1) {
    throw new ArgsError(`--max-line must be a whole number of bytes, at least 1, not "${rawMaxLine}"`);
  }
  const rawWait = values["rejoin-wait"];
  const rejoinWait = Number(rawWait);
  if (rawWait.trim() === "" || !Number.isFinite(rejoinWait) || rejoinWait < 0 || rejoinWait > 3600) {
    throw new ArgsError(`--rejoin-wait must be a number of seconds from 0 to 3600, not "${rawWait}"`);
  }
  const name = values.name?.trim() || undefined;
  return {
    host: values.host,
    port,
    name,
    tls: values.tls,
    ca: values.ca,
    maxLine,
    rejoinWaitMs: rejoinWait * 1000,
  };
}
