/**
 * The idle run: 10,000 members (half TCP, half SSE when the web door works) held 30 s, the server's RSS
 * read after each half, then one message that all of them must receive.
 *
 * @example
 * ```ts
 * const idle = await idleRun(true);
 * idle?.tcpKiBPerMember;
 * ```
 */
import type { Results } from "./report.ts";
import { sleep } from "../../server/async/deadline.ts";
import { runGenerator, startOurs } from "./procs.ts";

const IDLE_HOLD_S = 30;
const IDLE_FLAGS = ["--sendq", String(4 * 1024 * 1024)];

export async function idleRun(web: boolean): Promise<Results["idle"]> {
  const tcp = web ? 5000 : 10000, sse = web ? 5000 : 0;
  // Each new stream starts with the full members list (~40 bytes a member), more than the default sendq
  // once several thousand are present: the idle run raises it (and says so).
  console.log(`idle-10k: ${tcp} TCP + ${sse} SSE members held ${IDLE_HOLD_S} s (${IDLE_FLAGS.join(" ")})`);
  await using server = await startOurs(IDLE_FLAGS);
  await sleep(1000);
  const base = (await server.memory()).rssKiB;
  const r = await runGenerator({
    port: server.tcpPort,
    httpPort: sse > 0 ? server.httpPort : undefined,
    tcp,
    sse,
    senders: 1,
    // Messages per second: one message, to all of them.
    rate: 1,
    seconds: 1,
    holdSeconds: IDLE_HOLD_S,
  }, server.pid);
  if (r.setup_failed) {
    console.log(`  setup failed: ${r.setup_failed}`);
    return {
      tcp,
      sse,
      baseRssKiB: base,
      tcpKiBPerMember: NaN,
      sseKiBPerMember: undefined,
      allReceived: false,
      received: 0,
      expected: tcp + sse,
      failed: r.setup_failed,
    };
  }
  const idle = {
    tcp,
    sse,
    baseRssKiB: base,
    tcpKiBPerMember: (r.server_rss_kib_tcp - base) / tcp,
    sseKiBPerMember: sse > 0 ? (r.server_rss_kib_all - r.server_rss_kib_tcp) / sse : undefined,
    allReceived: r.lost === 0 && r.expected === tcp + sse,
    received: r.received,
    expected: r.expected,
    cutOff: r.cut_off,
    cuts: r.cuts,
    left: r.left,
  };
  console.log(`  ${JSON.stringify(idle)}`);
  return idle;
}
