/**
 * `deno task bench -- --only abuse` (issue 8): exact figures for what hostile clients cost the server —
 * never-reading replays from the oldest event, dribbled bytes, and HTTP connections that never finish.
 *
 * @example
 * ```ts
 * const result = await abuse(false);
 * console.log(abuseMarkdown(result));
 * ```
 */
import { replayAbuse, type ReplayResult } from "./abuse_replay.ts";
import { dribbleAbuse, type DribbleResult } from "./abuse_dribble.ts";
import { httpAbuse, type HttpAbuseResult } from "./abuse_http.ts";

export interface AbuseResult {
  replay: ReplayResult[];
  dribble: DribbleResult[];
  http: HttpAbuseResult;
}

/** The tests' setting that makes every collection a full one (see tests/tcp_abuse.test.ts). */
const FULL_GC = "--max-semi-space-size=1,--gc-global";

export async function abuse(quick: boolean): Promise<AbuseResult> {
  const replay: ReplayResult[] = [];
  for (const streams of quick ? [4] : [4, 32]) {
    console.log(`abuse: ${streams} SSE streams replaying 20,000 events of 2 KB from the oldest, never reading`);
    replay.push(await replayAbuse({ streams, events: 20_000, bytes: 2000, holdSeconds: quick ? 5 : 15 }));
    console.log(`  ${JSON.stringify(replay.at(-1))}`);
  }
  const dribble: DribbleResult[] = [];
  for (const v8Flags of quick ? [undefined] : [undefined, FULL_GC]) {
    console.log(`abuse: 500 TCP connections dribbling 2,048 single bytes${v8Flags ? ` (V8 ${v8Flags})` : ""}`);
    dribble.push(await dribbleAbuse({ connections: 500, bytes: 2048, v8Flags }));
    console.log(`  ${JSON.stringify(dribble.at(-1))}`);
  }
  const count = quick ? 300 : 4000, watchSeconds = quick ? 10 : 65;
  console.log(
    `abuse: ${count} each of idle, half-head and idle keep-alive HTTP connections, watched ${watchSeconds} s`,
  );
  const http = await httpAbuse({ count, watchSeconds });
  return { replay, dribble, http };
}

const mib = (kib: number) => (kib / 1024).toFixed(1);

export function abuseMarkdown(result: AbuseResult): string {
  const lines = ["## Abuse", ""];
  lines.push(
    "Replays from the oldest kept event (20,000 events of 2 KB in a SQLite file) by SSE streams that never read;",
    "RSS growth of the server over its RSS before the streams opened:",
    "",
    "| streams | would replay MiB | peak growth MiB | growth at end of hold | after they closed (3 s) | server CPU after close | bytes each stream got | first byte after | still open |",
    "|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of result.replay) {
    const got = Math.max(...r.sentPerStream);
    const waited = r.firstByteS.some((s) => s < 0) ? "never (some)" : `≤ ${Math.max(...r.firstByteS).toFixed(2)} s`;
    const held = `${mib(r.heldGrowthKiB)} (${r.holdSeconds} s)`;
    lines.push(
      `| ${r.streams} | ${mib(r.replayBytes / 1024)} | ${mib(r.peakGrowthKiB)} | ${held} | ${
        mib(r.afterCloseGrowthKiB)
      } | ` +
        `${r.cpuAfterClosePct.toFixed(0)}% | ≤ ${(got / 1024).toFixed(0)} KiB | ${waited} | ${r.openAtEnd} |`,
    );
  }
  lines.push(
    "",
    "TCP connections that never give a name, each sending 2,048 single bytes without a newline (one byte per read):",
    "",
    "| connections | V8 flags | sent MiB | peak growth MiB | once all read | after they closed (5 s) | per connection KiB | took s |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const r of result.dribble) {
    lines.push(
      `| ${r.connections} | ${r.v8Flags ?? "default"} | ${mib(r.connections * r.bytes / 1024)} | ${
        mib(r.peakGrowthKiB)
      } | ${mib(r.readGrowthKiB)} | ${mib(r.afterCloseGrowthKiB)} | ${(r.readGrowthKiB / r.connections).toFixed(0)} | ${
        r.seconds.toFixed(0)
      } |`,
    );
  }
  const h = result.http;
  lines.push(
    "",
    `HTTP connections that never finish (${h.count} of each kind, default flags, watched ${h.watchSeconds} s); the`,
    `server process held ${h.acceptedSockets} more sockets once they were all open:`,
    "",
    "| kind | opened | refused at once | closed by the server | when (s: first / median / last) | what it said | still open |",
    "|---|---|---|---|---|---|---|",
  );
  for (const k of h.kinds) {
    const t = k.closedAfter;
    const when = t.length ? [t[0], t[Math.floor(t.length / 2)], t.at(-1)!].map((x) => x.toFixed(1)).join(" / ") : "–";
    const said = Object.entries(k.answers).map(([line, n]) => `${line} ×${n}`).join(", ") || "–";
    lines.push(
      `| ${k.kind} | ${k.opened} | ${k.refused} | ${t.length} | ${when} | ${said} | ${k.stillOpen} |`,
    );
  }
  return lines.join("\n") + "\n";
}
