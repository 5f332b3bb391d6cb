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
import type { Directory } from "./directory/directory.ts";
import { LocalDirectory } from "./directory/local.ts";
import { RedisDirectory } from "./directory/redis.ts";
import { connectRedis } from "./redis/client.ts";
import { errorFields, log } from "./ops/log.ts";
import { openStore } from "./store/open.ts";
import { RedisStore } from "./store/redis.ts";
import { SqliteStore } from "./store/sqlite.ts";
import type { EventStore } from "./store/store.ts";

export interface Backend {
  store: EventStore;
  directory: Directory;
  /** A short description for the start-up lines. */
  description: string;
  /** Copies the SQLite file to `<db>.backup` while the room runs (undefined for other backends). */
  backup?(): { path: string; bytes: number; ms: number };
  close(): Promise<void>;
}

/** Throws a one-line error (main.ts prints it and exits 1) when the backend cannot be used. */
export async function openBackend(config: Pick<Config, "db" | "retain" | "redis">): Promise<Backend> {
  if (config.redis === "") {
    const store = await openStore(config);
    const directory = new LocalDirectory();
    const backupPath = `${config.db}.backup`;
    return {
      store,
      directory,
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
  const store = await RedisStore.open(redis, { retain: config.retain });
  const directory = new RedisDirectory(redis);
  return {
    store,
    directory,
    description: `redis ${config.redis} (instance ${directory.instance})` +
      (store.retain === config.retain ? "" : `; the room keeps ${store.retain} events, not --retain ${config.retain}`),
    async close() {
      await directory.close();
      await store.close();
      await redis.close();
    },
  };
}
