/**
 * Starts the real service (`main.ts`) as a child process on free ports and stops it.
 *
 * @example
 * ```ts
 * await using server = await startServer(["--flood-burst", "100"]);
 * const client = await connectTcp(server.tcpPort);
 * ```
 */

export interface RunningServer extends AsyncDisposable {
  process: Deno.ChildProcess;
  tcpPort: number;
  /** Undefined until the web door exists. */
  httpPort: number | undefined;
  /** `http://127.0.0.1:PORT` */
  httpUrl: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then wait; resolves to the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
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
  const command = [Deno.execPath(), "run", "--allow-all", MAIN, ...withDefaults];
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
  const decoder = new TextDecoder();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
    }
  };
  const collecting = Promise.all([
    collect(process.stdout),
    collect(process.stderr),
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
  const tcpPort = Number(text.match(/tcp listening on \S+:(\d+)/)![1]);
  const httpMatch = text.match(/http listening on http:\/\/[^:]+:(\d+)/);
  const httpPort = httpMatch ? Number(httpMatch[1]) : undefined;
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
    httpPort,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    output: () => text,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}
