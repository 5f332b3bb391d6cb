/**
 * Abuse (c), issue 8 items 1–2: plain HTTP connections that never finish a request. Three kinds, `count`
 * of each, on a server with default flags: connections that send nothing, connections that send half a
 * request head (`GET / HTTP/1.1`, a Host and the start of another header, then nothing), and keep-alive
 * connections left idle after one complete request. For each: how many the server accepted (its open
 * sockets, from /proc), and when the server closed them, watched for `watchSeconds`. Whatever HTTP server
 * the web door runs on, this measures what it does.
 *
 * @example
 * ```ts
 * const result = await httpAbuse({ count: 1000, watchSeconds: 65 });
 * result.kinds.map((kind) => kind.stillOpen);
 * ```
 */
import { startOurs } from "../lib/procs.ts";
import { sleep, writeAll } from "./abuse_io.ts";

export interface HttpAbuseOptions {
  count: number;
  watchSeconds: number;
}

export interface KindResult {
  kind: string;
  opened: number;
  /** Connections refused at once (connect failed, or closed within 100 ms). */
  refused: number;
  /** Seconds after opening at which the server closed each one it closed, sorted. */
  closedAfter: number[];
  /** What the server said before closing, if anything (the first line), and how many times. */
  answers: Record<string, number>;
  stillOpen: number;
}

export interface HttpAbuseResult extends HttpAbuseOptions {
  /** Sockets the server process gained once all the connections were opened: the ones it accepted. */
  acceptedSockets: number;
  kinds: KindResult[];
}

const KINDS: { kind: string; request(port: number): string }[] = [
  { kind: "nothing sent", request: () => "" },
  { kind: "half a request head", request: (port) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: ` },
  { kind: "idle after one request", request: (port) => `GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n` },
];

export async function httpAbuse(options: HttpAbuseOptions): Promise<HttpAbuseResult> {
  await using server = await startOurs(["--db", ":memory:"], []);
  const port = server.httpPort!;
  const before = await sockets(server.pid);
  const encoder = new TextEncoder();
  const watched = await Promise.all(KINDS.map(async ({ kind, request }) => {
    const result: KindResult = { kind, opened: 0, refused: 0, closedAfter: [], answers: {}, stillOpen: 0 };
    const conns: Promise<void>[] = [];
    for (let i = 0; i < options.count; i++) {
      const opened = performance.now();
      const conn = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => undefined);
      if (!conn) {
        result.refused++;
        continue;
      }
      result.opened++;
      const text = request(port);
      if (text) await writeAll(conn, encoder.encode(text)).catch(() => {});
      conns.push(watch(conn, opened, result, options.watchSeconds, text.endsWith("\r\n\r\n")));
    }
    return { result, conns };
  }));
  await sleep(1000);
  const acceptedSockets = (await sockets(server.pid)) - before;
  await Promise.all(watched.flatMap(({ conns }) => conns));
  for (const { result } of watched) result.closedAfter.sort((a, b) => a - b);
  return { ...options, acceptedSockets, kinds: watched.map(({ result }) => result) };
}

/**
 * Reads until the server closes the connection or the watch ends. A complete request's answer is read
 * past (by its Content-Length) before the connection counts as idle.
 */
async function watch(conn: Deno.TcpConn, opened: number, result: KindResult, seconds: number, answered: boolean) {
  const deadline = opened + seconds * 1000;
  const buffer = new Uint8Array(4096);
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) =>
    timer = setTimeout(() => resolve("timeout"), deadline - performance.now())
  );
  try {
    for (;;) {
      const n = await Promise.race([conn.read(buffer).catch(() => null), timeout]);
      if (n === "timeout") {
        result.stillOpen++;
        return;
      }
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const after = (performance.now() - opened) / 1000;
    // The answer to the one complete request is not the server's last word; anything after it is.
    const said = answered ? text.slice(Math.max(0, text.indexOf("HTTP/1.", 1))) : text;
    const first = (answered && text.indexOf("HTTP/1.", 1) === -1) || !said ? "(nothing)" : said.split("\r\n")[0];
    result.answers[first] = (result.answers[first] ?? 0) + 1;
    if (after < 0.1 && !answered) result.refused++;
    else result.closedAfter.push(after);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed
    }
  }
}

/** Open sockets of a process (its descriptors that are sockets). */
async function sockets(pid: number): Promise<number> {
  let count = 0;
  for await (const entry of Deno.readDir(`/proc/${pid}/fd`)) {
    const target = await Deno.readLink(`/proc/${pid}/fd/${entry.name}`).catch(() => "");
    if (target.startsWith("socket:")) count++;
  }
  return count;
}
