/** How entries read: the time stamp, the avatar colour, counts. The sentences are common/sentences.ts. */

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
