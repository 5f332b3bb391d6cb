/**
 * Starts the real service (`main.ts`) as a child process on free ports and stops it.
 *
 * @example
 * ```ts
 * import { startServer } from "./server.ts";
 * import { connectTcp } from "./tcp_client.ts";
 * export async function connect(): Promise<void> {
 *   await using server = await startServer(["--flood-burst", "100"]);
 *   await using client = await connectTcp(server.tcpPort);
 * }
 * ```
 */

export interface RunningServer extends AsyncDisposable {
  process: Deno.ChildProcess;
  /** 0 with `--no-plain-tcp`. */
  tcpPort: number;
  /** The TCP door's TLS port, with `--tls-cert`. */
  tlsPort: number | undefined;
  /** `http://127.0.0.1:PORT/metrics` with `--metrics-port`. */
  metricsUrl: string | undefined;
  /** The IRC door's port, with `--irc-port`. */
  ircPort: number | undefined;
  /** The IRC door's TLS port, with `--irc-tls-port` and `--tls-cert`. */
  ircTlsPort: number | undefined;
  /** Undefined until the web door exists. */
  httpPort: number | undefined;
  /** `http://127.0.0.1:PORT` (`https://` with `--tls-cert`) */
  httpUrl: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** What it wrote on stderr so far: its log. */
  logs(): string;
  /** Waits until the log matches `pattern`; fails, quoting the log, after `timeoutMs`. */
  expectLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then wait; resolves to the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
/**
 * The permissions `deno task start` gives the server, read from deno.json: every test runs the server as a
 * user does (under narrower ones, a restart on an existing database once failed where the tests passed).
 */
const START_FLAGS = startTaskFlags();
const STARTUP_MS = 30_000;
/** main.ts prints this once every door is listening. */
const READY = /^ready$/m;

export interface ServerOptions {
  /** Start under this file descriptor limit, soft and hard (`ulimit -n`). */
  nofile?: number;
}

/** The command line that runs the server: free ports and an in-memory log unless `args` say otherwise. */
export function serverCommand(args: string[] = [], options: ServerOptions = {}): string[] {
  const withDefaults = [...args];
  const has = (flag: string) => withDefaults.includes(flag);
  if (!has("--tcp-port")) withDefaults.push("--tcp-port", "0");
  if (!has("--http-port")) withDefaults.push("--http-port", "0");
  if (!has("--db")) withDefaults.push("--db", ":memory:");
  if (has("--tls-cert") && !has("--tls-port")) withDefaults.push("--tls-port", "0");
  const command = [Deno.execPath(), "run", ...START_FLAGS, MAIN, ...withDefaults];
  // `exec` keeps the server's own pid, so signals reach it.
  return options.nofile === undefined
    ? command
    : ["bash", "-c", `ulimit -n ${options.nofile} && exec "$@"`, "bash", ...command];
}

export async function startServer(
  args: string[] = [],
  env: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<RunningServer> {
  const [program, ...programArgs] = serverCommand(args, options);
  const process = new Deno.Command(program, {
    args: programArgs,
    env,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let text = "";
  let logs = "";
  const collect = async (stream: ReadableStream<Uint8Array>, isLog: boolean) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const part = decoder.decode(chunk, { stream: true });
      text += part;
      if (isLog) logs += part;
    }
  };
  const collecting = Promise.all([
    collect(process.stdout, false),
    collect(process.stderr, true),
  ]);
  const deadline = Date.now() + STARTUP_MS;
  let ended = false;
  process.status.then(() => ended = true);
  while (!READY.test(text)) {
    if (ended) {
      await collecting;
      throw new Error(`server exited before it was ready:\n${text}`);
    }
    if (Date.now() > deadline) {
      process.kill("SIGKILL");
      throw new Error(`server did not start within ${STARTUP_MS} ms:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const tcpPort = Number(text.match(/^tcp listening on \S+:(\d+)$/m)?.[1] ?? 0);
  const tlsMatch = text.match(/^tls listening on \S+:(\d+)$/m);
  const ircMatch = text.match(/^irc listening on \S+:(\d+)$/m);
  const ircTlsMatch = text.match(/^ircs listening on \S+:(\d+)$/m);
  const metricsUrl = text.match(/^metrics listening on (\S+)$/m)?.[1];
  const httpMatch = text.match(/http listening on (https?):\/\/[^:]+:(\d+)/);
  const httpPort = httpMatch ? Number(httpMatch[2]) : undefined;
  let exited: Promise<number> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM") => {
    if (!exited) {
      try {
        process.kill(signal);
      } catch {
        // already gone
      }
      exited = process.status.then(async (status) => {
        await collecting;
        return status.code;
      });
    }
    return exited;
  };
  return {
    process,
    tcpPort,
    tlsPort: tlsMatch ? Number(tlsMatch[1]) : undefined,
    ircPort: ircMatch ? Number(ircMatch[1]) : undefined,
    ircTlsPort: ircTlsMatch ? Number(ircTlsMatch[1]) : undefined,
    metricsUrl,
    httpPort,
    httpUrl: `${httpMatch?.[1] ?? "http"}://127.0.0.1:${httpPort}`,
    output: () => text,
    logs: () => logs,
    async expectLog(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(logs)) {
        if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${logs}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

function startTaskFlags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
  const words = (config.tasks.start as string).split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("main.ts"));
}
