/**
 * The web door: sessions, presence and SSE streams for browser members.
 * (Skeleton: the API helper fills this in.)
 */
import type { Flusher } from "../io/flusher.ts";
import type { Room } from "../room/room.ts";

export interface WebDoorOptions {
  sendq: number;
  history: number;
  graceMs: number;
  heartbeatMs: number;
}

export class WebDoor {
  constructor(
    readonly room: Room,
    readonly options: WebDoorOptions,
    readonly flusher: Flusher,
  ) {}

  /** Ends every stream (so the HTTP server can stop) without making members leave. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
