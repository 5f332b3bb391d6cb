/** Chooses the RoomLog backend the config asks for. */
import type { Config } from "../config.ts";
import type { RoomLog } from "./log.ts";
import { MemoryLog } from "./memory.ts";

/** Events kept in memory for replay (the design's limits table). */
export const MEMORY_HISTORY = 1000;

export function openLog(_config: Config): RoomLog | Promise<RoomLog> {
  return new MemoryLog(MEMORY_HISTORY);
}
