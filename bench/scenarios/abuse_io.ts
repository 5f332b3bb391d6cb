/**
 * What the abuse measurements share: a server's RSS sampled over time and its CPU seconds from /proc, a web
 * sign-in, and a named TCP member that counts the lines it gets.
 *
 * @example
 * ```ts
 * import { rssSampler, tcpMember } from "./abuse_io.ts";
 * export async function oneMember(pid: number, port: number): Promise<number> {
 *   const sampler = rssSampler(pid);
 *   await tcpMember(port, "ana");
 *   return sampler.stop(); // peak RSS in KiB
 * }
 * ```
 */

import { sleep } from "../../server/async/deadline.ts";

export { sleep };

const NEWLINE = 0x0a;

function statusField(pid: number, name: string): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(new RegExp(`^${name}:\\s+(\\d+)`, "m"))?.[1] ?? -1);
}

/** Samples the server's RSS every `everyMs` until `stop()`, which returns the highest (KiB). */
export function rssSampler(pid: number, everyMs = 100): { stop(): number } {
  let peak = statusField(pid, "VmRSS");
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, statusField(pid, "VmRSS"));
    } catch {
      // the process is gone
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** User + system CPU seconds the process has used. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  while (bytes.length > 0) bytes = bytes.subarray(await conn.write(bytes));
}

/** Signs `name` in on the web door; the `chat_session=…` cookie. */
export async function signIn(base: string, name: string): Promise<string> {
  const response = await fetch(`${base}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ name }),
  });
  await response.body?.cancel();
  const cookie = response.headers.get("set-cookie")?.match(/chat_session=[^;]+/)?.[0];
  if (!response.ok || !cookie) throw new Error(`sign-in of ${name} refused: ${response.status}`);
  return cookie;
}

export interface TcpMember {
  conn: Deno.TcpConn;
  /** Resolves once `count` more lines have arrived (read in the background from the start). */
  lines(count: number): Promise<void>;
}

/** A TCP member named `name`, in the room (its own join seen), reading everything it is sent. */
export async function tcpMember(port: number, name: string): Promise<TcpMember> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let seen = 0;
  let waiter: { count: number; resolve: () => void } | undefined;
  (async () => {
    const buffer = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      const chunk = buffer.subarray(0, n);
      for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) seen++;
      if (waiter && seen >= waiter.count) waiter.resolve();
    }
    waiter?.resolve();
  })();
  const lines = (count: number) => {
    const goal = seen + count;
    return new Promise<void>((resolve) => seen >= goal ? resolve() : waiter = { count: goal, resolve });
  };
  // Welcome, then (after the name) the greeting, the history header and lines, and its own join: wait
  // for the welcome, then give the name and let the greeting settle.
  await lines(1);
  await writeAll(conn, new TextEncoder().encode(`${name}\n`));
  await lines(2);
  await sleep(200);
  return { conn, lines };
}
