/** How entries read: the time stamp and the sentence for joins, leaves and actions. */
import type { WireEvent } from "../../common/wire.ts";

const LEAVE_REASONS: Record<string, string> = {
  lost: " (connection lost)",
  timeout: " (timed out)",
  kicked: " (kicked)",
  slow: " (too far behind)",
};

/**
 * `HH:MM`, 24-hour. In UTC until the page runs in the browser (`local` false), so the server's HTML
 * and the first browser render agree; then in the reader's own time zone.
 */
export function clock(at: number, local: boolean): string {
  const date = new Date(at);
  const hours = local ? date.getHours() : date.getUTCHours();
  const minutes = local ? date.getMinutes() : date.getUTCMinutes();
  return `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}

/** The sentence for an event that is not a plain message. */
export function describe(event: WireEvent): string {
  switch (event.kind) {
    case "action":
      return `${event.from} ${event.text ?? ""}`;
    case "join":
      return `${event.from} joined the chat`;
    case "leave":
      return `${event.from} left the chat${LEAVE_REASONS[event.reason ?? ""] ?? ""}`;
    default:
      return event.text ?? "";
  }
}

/** One of eight avatar colours, always the same for a name. */
export function hue(name: string): number {
  let hash = 0;
  for (const char of name.toLowerCase()) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % 8;
}

/**
 * A count with thousands grouped by commas (`9800` → `9,800`); the same on the server and in every
 * browser, unlike `toLocaleString`, so hydration matches.
 */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
