/**
 * Chooses the EventStore backend the config asks for: `--db :memory:` keeps the newest `--retain` events
 * in memory only; any other `--db` is a SQLite file keeping the newest `--retain` events, with the last
 * {@link MEMORY_HISTORY} of them in memory for fast replay.
 *
 * @example
 * ```ts
 * import { parseConfig } from "../config.ts";
 * import { openStore } from "./open.ts";
 * const store = await openStore(parseConfig(["--db", ":memory:"], {}));
 * await store.close();
 * ```
 */
import type { Config } from "../config.ts";
import type { Buckets } from "../ops/counters.ts";
import { MemoryStore } from "./memory.ts";
import { SqliteStore } from "./sqlite.ts";
import type { EventStore } from "./store.ts";

/** Events kept in memory for replay (the design's limits table). */
export const MEMORY_HISTORY = 1000;

/** Throws a one-line error (main.ts prints it and exits 1) when the store cannot be used. */
export function openStore(config: Pick<Config, "db" | "retain">, appendLatency?: Buckets): Promise<EventStore> {
  if (config.db === ":memory:") return Promise.resolve(new MemoryStore(Math.max(1, config.retain)));
  return Promise.resolve(
    SqliteStore.open(config.db, { retain: config.retain, ringSize: MEMORY_HISTORY, appendLatency }),
  );
}
