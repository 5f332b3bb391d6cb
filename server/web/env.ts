/** What every web route can reach through Hono's context: `c.var.room`, `c.var.web`, `c.var.config`. */
import type { Config } from "../config.ts";
import type { Room } from "../room/room.ts";
import type { WebDoor } from "./door.ts";

export interface WebVariables {
  room: Room;
  web: WebDoor;
  config: Config;
}

export type AppEnv = { Variables: WebVariables };
