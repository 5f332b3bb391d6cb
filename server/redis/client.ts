/**
 * Connecting to Redis (node-redis) the way the room needs it: nothing is queued while disconnected (a
 * command fails at once, so a send is refused instead of going out behind the member's back seconds
 * later), every command has a timeout, and the connection comes back by itself with capped backoff.
 *
 * @example
 * ```ts
 * import { connectRedis } from "./client.ts";
 * export async function ping(url: string): Promise<unknown> { // e.g. "redis://127.0.0.1:6379"
 *   const redis = await connectRedis(url);
 *   const reply = await redis.sendCommand(["PING"]); // "PONG"
 *   await redis.close();
 *   return reply;
 * }
 * ```
 */
import { createClient } from "redis";
import { deadline } from "../async/deadline.ts";

/** A command that has no answer within this long fails (Redis is gone, or stuck). */
export const COMMAND_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 2000;
const MAX_RECONNECT_MS = 2000;

type Reply = unknown;

/** The little of a Redis connection the room uses: raw commands, readiness, closing. */
export interface RedisLink {
  sendCommand(args: string[], options?: { timeout?: number }): Promise<Reply>;
  /** True while connected and ready. */
  readonly ready: boolean;
  /** A second connection to the same server (for a blocking read). */
  duplicate(): Promise<RedisLink>;
  /** Closes after the replies already asked for. */
  close(): Promise<void>;
  /** Closes at once; commands waiting for a reply fail. */
  destroy(): void;
}

/** Connects, or throws a one-line error when the server cannot be reached at start. */
export async function connectRedis(url: string, onError: (error: Error) => void = () => {}): Promise<RedisLink> {
  const client = createClient({
    url,
    RESP: 2,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_MS),
    },
  });
  // node-redis throws unhandled errors; a reconnecting client reports each failure here.
  client.on("error", onError);
  try {
    await deadline(client.connect(), CONNECT_TIMEOUT_MS + 500, "connection timed out");
  } catch (error) {
    client.destroy();
    throw new Error(`cannot reach Redis at ${url}: ${error instanceof Error ? error.message : error}`);
  }
  return wrap(client, url, onError);
}

// deno-lint-ignore no-explicit-any
function wrap(client: any, url: string, onError: (error: Error) => void): RedisLink {
  return {
    sendCommand: (args, options) => client.sendCommand(args, options),
    get ready() {
      return client.isReady as boolean;
    },
    duplicate: () => connectRedis(url, onError),
    async close() {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
    destroy() {
      client.destroy();
    },
  };
}
