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

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** The calendar day of `at` (`2026-12-06`): in UTC until the page runs in the browser, then the reader's own. */
export function dayKey(at: number, local: boolean): string {
  const date = new Date(at);
  const [year, month, day] = local
    ? [date.getFullYear(), date.getMonth(), date.getDate()]
    : [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  return `${year}-${String(month + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * What a day separator says: `Today`, `Yesterday` (in the browser, by the reader's clock), or the date,
 * `Sunday, 6 December 2026`. The server's HTML and the first browser render always show the date, so they match.
 *
 * @example
 * ```ts
 * import { dayLabel } from "./format.ts";
 * dayLabel(Date.UTC(2026, 11, 6, 14, 7), false); // "Sunday, 6 December 2026"
 * ```
 */
export function dayLabel(at: number, local: boolean, now = Date.now()): string {
  if (local) {
    const today = dayKey(now, true);
    if (dayKey(at, true) === today) return "Today";
    const yesterday = new Date(now);
    yesterday.setDate(yesterday.getDate() - 1);
    if (dayKey(at, true) === dayKey(yesterday.getTime(), true)) return "Yesterday";
  }
  const date = new Date(at);
  const [weekday, day, month, year] = local
    ? [date.getDay(), date.getDate(), date.getMonth(), date.getFullYear()]
    : [date.getUTCDay(), date.getUTCDate(), date.getUTCMonth(), date.getUTCFullYear()];
  return `${WEEKDAYS[weekday]}, ${day} ${MONTHS[month]} ${year}`;
}
