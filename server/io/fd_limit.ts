/**
 * The file descriptors the server may open (RLIMIT_NOFILE) against what the connection limits need. Every
 * client connection, TCP or HTTP, is a descriptor; so are the server's own files and sockets. At start the
 * soft limit is raised to the hard one when it is lower (with util-linux's `prlimit --pid`; Deno itself
 * already does this at start-up on Linux, so it rarely has anything left to do), and the server refuses to
 * start when `--max-connections` plus {@link FD_RESERVE} does not fit: with the caps fitting, clients
 * alone can never make an accept fail for want of descriptors.
 *
 * @example
 * ```ts
 * const limits = await raiseFdLimit(); // { soft: 20000, hard: 20000 }, or undefined off Linux
 * const problem = limits && fdProblem(10_000, limits); // undefined: it fits
 * ```
 */
import { MAX_REFUSING } from "./caps.ts";

/**
 * The web door's listen backlog: connections the kernel queues for it. node:http (Deno 2.9.6) can take a
 * queue's worth at once before it has closed the refused ones: on a loaded machine, a flood of idle
 * connections held up to 254 descriptors where the caps account for 158 (a listen backlog of 511, Node's
 * default), one accept failed with EMFILE and the web door stopped accepting until the accept watch
 * listened again; with a backlog of 64 the excess stayed within 65. So the backlog is set, and kept.
 */
export const WEB_ACCEPT_BACKLOG = 128;

/**
 * Descriptors kept for the server itself. Measured with no client (`ls /proc/PID/fd | wc -l`): 28 with
 * the SQLite log and a page served (stdio, Deno's own caches and event loop, the two listeners, the
 * database and its WAL); the island bundle's build adds 3 pipes for its `deno bundle` child, Redis 2
 * connections, the accept watch's probe 2; refused sockets waiting for their answer up to MAX_REFUSING;
 * the web door's accept queue taken at once, up to WEB_ACCEPT_BACKLOG. The rest is margin.
 */
export const FD_RESERVE = 96 + MAX_REFUSING + WEB_ACCEPT_BACKLOG;

export interface FdLimits {
  soft: number;
  hard: number;
}

/** The "Max open files" line of /proc/self/limits (`unlimited` reads as Infinity); undefined if absent. */
export function parseFdLimits(text: string): FdLimits | undefined {
  const match = text.match(/^Max open files\s+(\S+)\s+(\S+)/m);
  if (!match) return undefined;
  const value = (field: string) => field === "unlimited" ? Infinity : Number(field);
  return { soft: value(match[1]), hard: value(match[2]) };
}

/** This process's limits, after raising the soft one toward the hard one; undefined where /proc is not. */
export async function raiseFdLimit(): Promise<FdLimits | undefined> {
  const before = readFdLimits();
  if (!before || before.soft >= before.hard) return before;
  const hard = before.hard === Infinity ? "unlimited" : String(before.hard);
  try {
    await new Deno.Command("prlimit", {
      args: ["--pid", String(Deno.pid), `--nofile=${hard}:${hard}`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
  } catch {
    // no prlimit here: the soft limit stays as it is, and is checked as it is
  }
  return readFdLimits();
}

/** Why `maxConnections` cannot be served within `limits` (one line), or undefined when it fits. */
export function fdProblem(maxConnections: number, limits: FdLimits): string | undefined {
  const needed = maxConnections + FD_RESERVE;
  if (needed <= limits.soft) return undefined;
  const hard = limits.hard === Infinity ? "unlimited" : limits.hard;
  return `--max-connections ${maxConnections} needs ${needed} file descriptors (${FD_RESERVE} kept for the ` +
    `server itself) but this process may open ${limits.soft} (hard limit ${hard}): raise the limit ` +
    `(ulimit -n) or lower --max-connections to ${Math.max(0, limits.soft - FD_RESERVE)}`;
}

function readFdLimits(): FdLimits | undefined {
  try {
    return parseFdLimits(Deno.readTextFileSync("/proc/self/limits"));
  } catch {
    return undefined;
  }
}
