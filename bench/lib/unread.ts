/**
 * Input a server has not read yet: the bytes waiting in the kernel's receive queues of the sockets on its
 * port, from /proc/net/tcp. When a server stops reading (our backlog pausing input) they pile up there
 * before TCP pushes back on the senders.
 *
 * @example
 * ```ts
 * import { unreadSampler } from "./unread.ts";
 * export async function during(tcpPort: number, run: () => Promise<void>) {
 *   const sampler = unreadSampler(tcpPort);
 *   await run();
 *   return sampler.stop(); // { peakBytes, secondsWaiting }
 * }
 * ```
 */

/** Bytes sent to `port` on this machine that its server has not read yet. */
export async function unreadInput(port: number): Promise<number> {
  const hex = ":" + port.toString(16).toUpperCase().padStart(4, "0");
  let unread = 0;
  for (const row of (await Deno.readTextFile("/proc/net/tcp")).split("\n").slice(1)) {
    const cols = row.trim().split(/\s+/);
    if (cols[1]?.endsWith(hex)) unread += parseInt(cols[4]?.split(":")[1] ?? "0", 16);
  }
  return unread;
}

/** Samples {@link unreadInput} every `everyMs`: the peak, and how long input waited unread (> 64 KiB). */
export function unreadSampler(port: number, everyMs = 100): { stop(): { peakBytes: number; secondsWaiting: number } } {
  let peakBytes = 0, waiting = 0, busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const unread = await unreadInput(port).catch(() => 0);
    peakBytes = Math.max(peakBytes, unread);
    if (unread > 64 * 1024) waiting++;
    busy = false;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakBytes, secondsWaiting: waiting * everyMs / 1000 };
    },
  };
}
