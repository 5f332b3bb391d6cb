/**
 * Chooses where the room keeps its events and its names, as the config asks: embedded (an EventStore from
 * `--db`, SQLite or memory, and the in-process directory), or Redis (`--redis`: a stream and the Redis
 * directory, for several instances sharing one room).
 *
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * import { openBackend } from "./backend.ts";
 * const backend = await openBackend(parseConfig(["--db", ":memory:"], {}));
 * await backend.close();
 * ```
 */
import type { Config } from "./config.ts";
import type { Buckets } from "./ops/counters.ts";
import type { Directory, SendReceipts } from "./directory/directory.ts";
import { Receipts } from "./directory/receipts.ts";
import { RedisReceipts } from "./directory/redis_receipts.ts";
import { LocalDirectory } from "./directory/local.ts";
import { RedisDirectory } from "./directory/redis.ts";
import { connectRedis } from "./redis/client.ts";
import { errorFields, log } from "./ops/log.ts";
import { openStore } from "./store/open.ts";
import { RedisStore } from "./store/redis.ts";
import { SqliteStore } from "./store/sqlite.ts";
import type { EventStore } from "./store/store.ts";
import { RedisSessionStore } from "./web/redis_session_store.ts";
import { LOCAL_SESSIONS, type SessionStore } from "./web/session_store.ts";

export interface Backend {
  store: EventStore;
  directory: Directory;
  /** The receipts of keyed sends. */
  receipts: SendReceipts;
  /** Where web sessions are kept for other instances to pick up. */
  sessions: SessionStore;
  /** A short description for the start-up lines. */
  description: string;
  /** Copies the SQLite file to `<db>.backup` while the room runs (undefined for other backends). */
  backup?(): { path: string; bytes: number; ms: number };
  close(): Promise<void>;
}

/** Throws a one-line error (main.ts prints it and exits 1) when the backend cannot be used. */
/** `appendLatency`: where the store observes how long its appends take (the server's counters). */
export async function openBackend(
  config: Pick<Config, "db" | "retain" | "redis">,
  appendLatency?: Buckets,
): Promise<Backend> {
  if (config.redis === "") {
    const store = await openStore(config, appendLatency);
    const directory = new LocalDirectory();
    const backupPath = `${config.db}.backup`;
    return {
      store,
      directory,
      receipts: new Receipts(),
      sessions: LOCAL_SESSIONS,
      description: config.db === ":memory:" ? "memory" : `sqlite ${config.db}`,
      backup: store instanceof SqliteStore ? () => ({ path: backupPath, ...store.backup(backupPath) }) : undefined,
      async close() {
        await directory.close();
        await store.close();
      },
    };
  }
  let warned = false;
  const redis = await connectRedis(config.redis, (error) => {
    if (!warned) log.warn("redis.error", errorFields(error));
    warned = true;
  });
  const store = await RedisStore.open(redis, { retain: config.retain, appendLatency });
  const directory = new RedisDirectory(redis);
  return {
    store,
    directory,
    receipts: new RedisReceipts(redis),
    sessions: new RedisSessionStore(redis),
    description: `redis ${config.redis} (instance ${directory.instance})` +
      (store.retain === config.retain ? "" : `; the room keeps ${store.retain} events, not --retain ${config.retain}`),
    async close() {
      await directory.close();
      await store.close();
      await redis.close();
    },
  };
}
