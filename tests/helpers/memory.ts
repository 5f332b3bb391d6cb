/**
 * A process's resident memory as the kernel counts it, for tests that bound what clients cost the server.
 *
 * @example
 * ```ts
 * import { rss } from "./memory.ts";
 * const bytes = rss(Deno.pid);
 * ```
 */

/** Resident memory of process `pid`, in bytes (`VmRSS` of /proc/PID/status). */
export function rss(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/^VmRSS:\s+(\d+) kB$/m)![1]) * 1024;
}
