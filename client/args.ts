/** Command-line flags → the client's options (`deno task client --help` lists them). */
import { parseArgs } from "node:util";

export interface ClientOptions {
  host: string;
  port: number;
  /** Asked for at the prompt when missing. */
  name: string | undefined;
}

export class ArgsError extends Error {}

export const USAGE = `usage: deno task client [--host HOST] [--port PORT] [--name NAME]

  --host HOST   the chat server (default 127.0.0.1)
  --port PORT   its TCP door (default 60000)
  --name NAME   sign in as NAME (asked for when missing, or when the server refuses it)
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
        port: { type: "string", default: "60000" },
        name: { type: "string" },
        tls: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ArgsError(error instanceof Error ? error.message : String(error));
  }
  if (values.tls) throw new ArgsError("--tls is not supported by this server yet (its TCP door is plain text)");
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) {
    throw new ArgsError(`--port must be a number from 1 to 65535, not "${values.port}"`);
  }
  if (values.host.trim() === "") throw new ArgsError("--host must not be empty");
  return { host: values.host, port, name: values.name?.trim() || undefined };
}
