/**
 * Abuse (b), issue 8 item 4: `connections` TCP connections that never give a name, each sending `bytes`
 * single bytes without a newline, one byte per connection in turn (so each byte is its own read on the
 * server). The server's RSS before, at its peak, once it has read everything, and after they close.
 * Default flags but a long registration timeout, so the measurement is of the line reader, not of the
 * timeout that would otherwise close the connections.
 *
 * @example
 * ```ts
 * const result = await dribbleAbuse({ connections: 500, bytes: 2048 });
 * result.readGrowthKiB;
 * ```
 */
import { startOurs } from "../lib/procs.ts";
import { unreadInput } from "../lib/unread.ts";
import { rssSampler, sleep } from "./abuse_io.ts";

export interface DribbleOptions {
  connections: number;
  bytes: number;
  /** V8 flags for the server, e.g. the test's `--max-semi-space-size=1,--gc-global` (every GC a full one). */
  v8Flags?: string;
}

export interface DribbleResult extends DribbleOptions {
  baseKiB: number;
  peakGrowthKiB: number;
  /** Growth once the server has read every byte. */
  readGrowthKiB: number;
  /** Growth 5 s after the connections closed. */
  afterCloseGrowthKiB: number;
  seconds: number;
}

const ONE_BYTE = Uint8Array.of(0x78);

export async function dribbleAbuse(options: DribbleOptions): Promise<DribbleResult> {
  const { connections, bytes } = options;
  const runtime = options.v8Flags ? [`--v8-flags=${options.v8Flags}`] : [];
  await using server = await startOurs(["--db", ":memory:", "--registration-timeout", "600"], [], runtime);
  const conns: Deno.TcpConn[] = [];
  const welcome = new Uint8Array(256);
  for (let i = 0; i < connections; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.tcpPort });
    conn.setNoDelay(true); // every one-byte write leaves as its own segment
    await conn.read(welcome);
    conns.push(conn);
  }
  await sleep(1000);
  const baseKiB = (await server.memory()).rssKiB;
  const sampler = rssSampler(server.pid);
  const started = performance.now();
  for (let i = 0; i < bytes; i++) await Promise.all(conns.map((conn) => conn.write(ONE_BYTE)));
  await allRead(server.tcpPort);
  const seconds = (performance.now() - started) / 1000;
  await sleep(1000);
  const readKiB = (await server.memory()).rssKiB;
  for (const conn of conns) conn.close();
  await sleep(5000);
  const afterKiB = (await server.memory()).rssKiB;
  const peakKiB = sampler.stop();
  return {
    ...options,
    baseKiB,
    peakGrowthKiB: peakKiB - baseKiB,
    readGrowthKiB: readKiB - baseKiB,
    afterCloseGrowthKiB: afterKiB - baseKiB,
    seconds,
  };
}

/** Waits until no byte sent to `port` waits unread in the kernel (the server has read them all). */
async function allRead(port: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (await unreadInput(port) > 0) {
    if (Date.now() > deadline) throw new Error("the server did not read the dribbled bytes within 120 s");
    await sleep(50);
  }
}
