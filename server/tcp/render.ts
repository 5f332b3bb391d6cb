/** Event → the one line a terminal user sees (without its newline). */
import type { LeaveReason, RoomEvent } from "../room/events.ts";

const LEAVE_SUFFIX: Record<LeaveReason, string> = {
  quit: "",
  lost: " (connection lost)",
  timeout: " (timed out)",
  kicked: " (kicked)",
  slow: " (too slow)",
};

export function renderLine(event: RoomEvent): string {
  switch (event.kind) {
    case "message":
      return `${event.from}: ${event.text}`;
    case "action":
      return `* ${event.from} ${event.text}`;
    case "join":
      return `* ${event.from} joined the chat`;
    case "leave":
      return `* ${event.from} left the chat${LEAVE_SUFFIX[event.reason ?? "quit"]}`;
    case "system":
      return `* ${event.text}`;
  }
}
