/**
 * Reads `/metrics` for tests: every sample line as `name{labels}` → value, exactly as the server printed
 * it, and a way to wait until a figure reaches what the test expects (metrics trail what clients see).
 *
 * @example
 * ```ts
 * import { scrape, scrapeUntil } from "./metrics.ts";
 * export async function countsOf(httpUrl: string): Promise<void> {
 *   const samples = await scrape(`${httpUrl}/metrics`);
 *   samples.get('chat_messages_received_total{door="tcp"}'); // 3
 *   await scrapeUntil(`${httpUrl}/metrics`, (s) => s.get("chat_sse_resets_total")! >= 1);
 * }
 * ```
 */

export type Samples = Map<string, number>;

export async function scrape(url: string): Promise<Samples> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text}`);
  const samples: Samples = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** Scrapes until `ready` holds (then returns those samples); fails with the last samples after `timeoutMs`. */
export async function scrapeUntil(
  url: string,
  ready: (samples: Samples) => boolean,
  timeoutMs = 10_000,
): Promise<Samples> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrape(url);
    if (ready(samples)) return samples;
    if (Date.now() > deadline) {
      const shown = [...samples].filter(([name]) => name.startsWith("chat_")).map(([k, v]) => `  ${k} ${v}`);
      throw new Error(`metrics never got there within ${timeoutMs} ms; last scrape:\n${shown.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
