/**
 * Abuse (a), issue 8 item 3: SSE streams that resume from the oldest kept event and never read. The room
 * gets `events` messages of `bytes` bytes each (SQLite file, default retention), then `streams` web
 * members open `GET /api/events` with `Last-Event-ID: <epoch>-0` on raw sockets and read nothing. The
 * server's RSS is sampled while they hang there, and again after they close.
 *
 * @example
 * ```ts
 * const result = await replayAbuse({ streams: 4, events: 20_000, bytes: 2000, holdSeconds: 10 });
 * result.peakGrowthKiB;
 * ```
 */
import { startOurs } from "../lib/procs.ts";
import { cpuSeconds, rssSampler, signIn, sleep, tcpMember, writeAll } from "./abuse_io.ts";

export interface ReplayOptions {
  streams: number;
  events: number;
  bytes: number;
  holdSeconds: number;
}

export interface ReplayResult extends ReplayOptions {
  /** What the streams would replay in all, if the server loaded it: events × bytes × streams. */
  replayBytes: number;
  baseKiB: number;
  peakGrowthKiB: number;
  /** Growth at the end of the hold. */
  heldGrowthKiB: number;
  /** Growth 3 s after the streams closed. */
  afterCloseGrowthKiB: number;
  /** Server CPU in the 3 s after the streams closed (0 when nothing goes on). */
  cpuAfterClosePct: number;
  /** Streams still open when the hold ended (the server cuts off a socket that takes nothing for 30 s). */
  openAtEnd: number;
  /** Bytes the server got to send each stream (waiting unread in the client's socket) by the end of the hold. */
  sentPerStream: number[];
  /** Seconds until each stream's first byte arrived (-1: none during the hold). */
  firstByteS: number[];
}

export async function replayAbuse(options: ReplayOptions): Promise<ReplayResult> {
  const { streams, events, bytes, holdSeconds } = options;
  const dir = await Deno.makeTempDir({ prefix: "bench-replay-" });
  try {
    // Default flags but the flood limit (so the filler can post quickly) and a database file, as a user has.
    await using server = await startOurs(["--db", `${dir}/chat.db`]);
    const base = `http://127.0.0.1:${server.httpPort}`;
    const epoch = await epochOf(base);

    const filler = await tcpMember(server.tcpPort, "filler");
    const text = "x".repeat(bytes - 1);
    const batch = new TextEncoder().encode(`${text}\n`.repeat(100));
    const echoed = filler.lines(events);
    for (let sent = 0; sent < events; sent += 100) await writeAll(filler.conn, batch);
    await echoed;
    filler.conn.close();

    const cookies = [];
    for (let i = 0; i < streams; i++) cookies.push(await signIn(base, `replay${i}`));
    await sleep(2000);
    const sampler = rssSampler(server.pid);
    const baseKiB = (await server.memory()).rssKiB;
    const encoder = new TextEncoder();
    const conns = await Promise.all(cookies.map(async (cookie) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.httpPort! });
      await writeAll(
        conn,
        encoder.encode(
          `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${server.httpPort}\r\nAccept: text/event-stream\r\n` +
            `Cookie: ${cookie}\r\nLast-Event-ID: ${epoch}-0\r\n\r\n`,
        ),
      );
      return conn;
    }));
    const opened = performance.now();
    const firstByteS = conns.map(() => -1);
    while (performance.now() - opened < holdSeconds * 1000) {
      await sleep(100);
      const states = await socketStates(conns);
      states.forEach((state, i) => {
        if (firstByteS[i] < 0 && state.unread > 0) firstByteS[i] = (performance.now() - opened) / 1000;
      });
    }
    const heldKiB = (await server.memory()).rssKiB;
    const states = await socketStates(conns);
    const openAtEnd = states.filter((state) => state.open).length;
    for (const conn of conns) conn.close();
    const cpu0 = await cpuSeconds(server.pid);
    await sleep(3000);
    const cpuAfterClosePct = 100 * ((await cpuSeconds(server.pid)) - cpu0) / 3;
    const afterKiB = (await server.memory()).rssKiB;
    const peakKiB = sampler.stop();
    return {
      ...options,
      replayBytes: events * bytes * streams,
      baseKiB,
      peakGrowthKiB: peakKiB - baseKiB,
      heldGrowthKiB: heldKiB - baseKiB,
      afterCloseGrowthKiB: afterKiB - baseKiB,
      cpuAfterClosePct,
      openAtEnd,
      sentPerStream: states.map((state) => state.unread),
      firstByteS,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The store's epoch, from the id of a probe member's first event. */
async function epochOf(base: string): Promise<string> {
  const cookie = await signIn(base, "probe");
  const response = await fetch(`${base}/api/events`, { headers: { cookie, accept: "text/event-stream" } });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (;;) {
      const id = text.match(/^id: ?(\w+)-\d+$/m);
      if (id) return id[1];
      const { value, done } = await reader.read();
      if (done) throw new Error("the probe's stream ended before any event id");
      text += value;
    }
  } finally {
    await reader.cancel();
  }
}

/** The client sockets as the kernel sees them: still established, and the bytes waiting unread in each. */
async function socketStates(conns: Deno.Conn[]): Promise<{ open: boolean; unread: number }[]> {
  const hex = (addr: Deno.Addr) => ":" + (addr as Deno.NetAddr).port.toString(16).toUpperCase().padStart(4, "0");
  const rows = (await Deno.readTextFile("/proc/net/tcp")).split("\n").slice(1).map((line) => line.trim().split(/\s+/));
  return conns.map((conn) => {
    const [local, remote] = [hex(conn.localAddr), hex(conn.remoteAddr)];
    // Both ends: the same local port may also appear in a TIME_WAIT row of an earlier connection elsewhere.
    const row = rows.find((cols) => cols[1]?.endsWith(local) && cols[2]?.endsWith(remote));
    // st 01 = ESTABLISHED (08 CLOSE_WAIT once the server closed it); tx_queue:rx_queue in hex
    return { open: row?.[3] === "01", unread: parseInt(row?.[4]?.split(":")[1] ?? "0", 16) };
  });
}
