/**
 * Chooses the RoomLog backend the config asks for: SQLite at `--db` (`:memory:` for an in-memory
 * SQLite database, same behaviour without the file), keeping the newest `--retain` events.
 *
 * @example
 * ```ts
 * const log = await openLog(parseConfig(["--db", "./data/chat.db"], {}));
 * ```
 */
import type { Config } from "../config.ts";
import type { RoomLog } from "./log.ts";
import { SqliteLog } from "./sqlite.ts";

/** Events kept in memory for replay (the design's limits table). */
export const MEMORY_HISTORY = 1000;

/** Throws a one-line error (main.ts prints it and exits 1) when the database cannot be used. */
export function openLog(config: Config): RoomLog | Promise<RoomLog> {
  return SqliteLog.open(config.db, { retain: config.retain, ringSize: MEMORY_HISTORY });
}
