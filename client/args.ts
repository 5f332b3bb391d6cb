/** Command-line flags → the client's options (`deno task client --help` lists them). */
import { parseArgs } from "node:util";

export interface ClientOptions {
  host: string;
  port: number;
  /** Asked for at the prompt when missing. */
  name: string | undefined;
  /** Speak TLS (the server's `--tls-port`, 60001 by default). */
  tls: boolean;
  /** A CA certificate file (PEM) to trust besides the system's, e.g. a server's self-signed one. */
  ca: string | undefined;
}

export class ArgsError extends Error {}

export const USAGE = `usage: deno task client [--host HOST] [--port PORT] [--name NAME] [--tls [--ca FILE]]

  --host HOST   the chat server (default 127.0.0.1)
  --port PORT   its TCP door (default 60000, or 60001 with --tls)
  --name NAME   sign in as NAME (asked for when missing, or when the server refuses it)
  --tls         connect with TLS (the server's --tls-port)
  --ca FILE     trust this CA certificate (PEM) too, e.g. a self-signed server's
  --help        this text

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
  return { host: values.host, port, name: values.name?.trim() || undefined, tls: values.tls, ca: values.ca };
}
