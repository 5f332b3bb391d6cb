/**
 * A real redis-server for tests, on a free loopback port; stopped (and its data gone) when disposed.
 * `stop()` then `start()` takes it away and brings it back on the same port: with its data when started
 * with `persist` (saved on stop, loaded on start), empty otherwise (a Redis that lost everything).
 *
 * @example
 * ```ts
 * import { startRedis } from "./redis.ts";
 * import { startServer } from "./server.ts";
 * export async function onRedis(): Promise<void> {
 *   await using redis = await startRedis();
 *   await using server = await startServer(["--redis", redis.url]);
 * }
 * ```
 */
import { freePort } from "./ports.ts";

export interface RunningRedis extends AsyncDisposable {
  readonly port: number;
  readonly url: string;
  /** Runs redis-cli with `args` against this server; its stdout, trimmed. */
  cli(...args: string[]): Promise<string>;
  /** Stops the server (SIGTERM); with `persist` it saved its data first and `start()` loads it again. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Kills it at once (for an unload handler). */
  kill(): void;
}

export interface RedisOptions {
  /** Save the data on stop, load it on start. */
  persist?: boolean;
  /** More redis-server arguments. */
  args?: string[];
}

export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "chat-redis-" });
  let process: Deno.ChildProcess | undefined;
  const start = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "no"];
    args.push("--save", options.persist ? "3600 1" : "", ...(options.args ?? []));
    process = new Deno.Command("redis-server", { args, stdout: "null", stderr: "null", stdin: "null" }).spawn();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await ping(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    if (!process) return;
    if (options.persist) await cli(port, "SAVE");
    process.kill("SIGTERM");
    await process.status;
    process = undefined;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cli: (...args) => cli(port, ...args),
    stop,
    start,
    kill: () => process?.kill("SIGKILL"),
    async [Symbol.asyncDispose]() {
      await stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("redis-cli", { args: ["-p", String(port), ...args], stderr: "piped" }).output();
  return new TextDecoder().decode(output.stdout).trim();
}

async function ping(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buffer = new Uint8Array(16);
      const n = await conn.read(buffer);
      return n !== null && new TextDecoder().decode(buffer.subarray(0, n)).startsWith("+PONG");
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}
