/**
 * A throwaway redis-server for the bench, pinned to the servers' core (1), on a free loopback port, with no
 * persistence (the bench measures the room, not the disk); gone with its data when disposed.
 *
 * @example
 * ```ts
 * import { startOurs } from "./procs.ts";
 * import { startRedis } from "./redis.ts";
 * export async function onRedis(): Promise<void> {
 *   await using redis = await startRedis();
 *   await using _server = await startOurs(["--redis", redis.url]);
 * }
 * ```
 */
import { freePort, memoryOf, type RunningServer, startPinned } from "./procs.ts";

export interface RunningRedis extends AsyncDisposable {
  url: string;
  pid: number;
  memory: RunningServer["memory"];
}

export async function startRedis(): Promise<RunningRedis> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "bench-redis-" });
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
  const { pid, stop } = await startPinned(["redis-server", ...args], [/Ready to accept connections()/]);
  return {
    url: `redis://127.0.0.1:${port}`,
    pid,
    memory: () => memoryOf(pid),
    async [Symbol.asyncDispose]() {
      await stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
