/**
 * Writes a bench run to `bench/results/<date>.json` and `<date>.md` (the tables the README quotes), and its
 * charts beside them (`<date>-<scenario>.svg`).
 *
 * @example
 * ```ts
 * import { type Results, writeResults } from "./report.ts";
 * export async function save(results: Results): Promise<void> {
 *   const paths = await writeResults(results);
 *   console.log(await Deno.readTextFile(paths.markdown));
 * }
 * ```
 */
import { type Cut, type GeneratorResult, ROOT } from "./procs.ts";
import { mega, ratio, saturation, type Sweep, WARMUP_DELIVERIES, WARMUP_S } from "./sweep.ts";
import { writeCharts } from "./figures.ts";
import { overloadMarkdown, type OverloadPoint } from "../scenarios/overload.ts";
import { redisMarkdown, type RedisResult } from "../scenarios/redis.ts";
import { abuseMarkdown, type AbuseResult } from "../scenarios/abuse.ts";

export interface Scenario {
  name: string;
  description: string;
  /** Deliveries per second the saturation should reach. */
  target?: number;
  ours: Sweep;
  deno?: Sweep;
  c?: Sweep;
}

export interface Results {
  date: string;
  quick: boolean;
  machine: { cores: number; cpu: string; deno: string; kernel: string };
  serverFlags: string[];
  scenarios: Scenario[];
  /** At 1 M deliveries/s with N=1000. */
  steady?: { p50_ms: number; p99_ms: number; lost: number; server_cpu_pct: number; pass: boolean };
  idle?: {
    tcp: number;
    sse: number;
    baseRssKiB: number;
    tcpKiBPerMember: number;
    sseKiBPerMember: number | undefined;
    allReceived: boolean;
    received: number;
    expected: number;
    /** Members the server closed during the run, with the first few reasons, and the leaves members saw. */
    cutOff?: number;
    cuts?: Cut[];
    left?: GeneratorResult["left"];
    /** Why the members could not all be set up, if they could not. */
    failed?: string;
  };
  crossCheck: { load: string; gen: Record<string, number>; reference: Record<string, number> }[];
  overload?: OverloadPoint[];
  redis?: RedisResult;
  abuse?: AbuseResult;
  notes: string[];
}

export async function machine(): Promise<Results["machine"]> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  return {
    cores: navigator.hardwareConcurrency,
    cpu: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "unknown",
    deno: Deno.version.deno,
    kernel: Deno.osRelease(),
  };
}

export function markdown(results: Results): string {
  const m = results.machine;
  const lines = [
    `# Bench ${results.date}${results.quick ? " (quick)" : ""}`,
    "",
    `${m.cores} cores, ${m.cpu}, Deno ${m.deno}, Linux ${m.kernel}. Server pinned to core 1, generator to core 0.`,
    `Server flags: \`${results.serverFlags.join(" ")}\` (flood limit raised for the senders; everything else on).`,
    "",
    "Saturation = highest rate with nothing lost and p99 < 100 ms; M deliveries/s (64-byte payloads, 10 senders).",
    "A rate counts as failed after 3 failing runs. 'others CPU': what other jobs used meanwhile (2 cores = 200%).",
    `Each run (sweeps, overload) is measured on a fresh server after ${WARMUP_S} s of the same shape of load at ` +
    `≤ ${mega(WARMUP_DELIVERIES)} M/s from other connections.`,
    "",
  ];
  if (results.scenarios.length > 0) {
    lines.push(
      "| scenario | ours | p50 / p99 ms | server CPU | others CPU | peak RSS MiB | target | bare Deno | bare C | ours/Deno | ours/C |",
      "|---|---|---|---|---|---|---|---|---|---|---|",
    );
  }
  for (const s of results.scenarios) {
    const run = s.ours.saturation;
    const latency = run ? `${run.result.p50_ms.toFixed(1)} / ${run.result.p99_ms.toFixed(1)}` : "–";
    const cpu = run ? `${run.result.server_cpu_pct.toFixed(0)}%` : "–";
    const others = run ? `${(run.result.others_cpu_pct ?? 0).toFixed(0)}%` : "–";
    const rss = run ? (run.peakRssKiB / 1024).toFixed(0) : "–";
    const target = s.target ? `≥ ${mega(s.target)}` : "–";
    lines.push(
      `| ${s.name} | ${saturation(s.ours)} | ${latency} | ${cpu} | ${others} | ${rss} | ${target} | ${
        saturation(s.deno)
      } | ${saturation(s.c)} | ${ratio(s.ours, s.deno)} | ${ratio(s.ours, s.c)} |`,
    );
  }
  if (results.steady) {
    const st = results.steady;
    lines.push(
      "",
      `At 1 M deliveries/s, N=1000: p50 ${st.p50_ms.toFixed(1)} ms, p99 ${st.p99_ms.toFixed(1)} ms, lost ${st.lost}, ` +
        `server CPU ${st.server_cpu_pct.toFixed(0)}% (target p99 ≤ 20 ms, nothing lost: ${
          st.pass ? "met" : "not met"
        }).`,
    );
  }
  if (results.idle) {
    const i = results.idle;
    const sse = i.sseKiBPerMember === undefined ? "" : `, ${i.sseKiBPerMember.toFixed(1)} KiB per idle SSE member`;
    if (i.failed) lines.push("", `Idle (${i.tcp} TCP + ${i.sse} SSE): setup failed: ${i.failed}.`);
    else {lines.push(
        "",
        `Idle (${i.tcp} TCP + ${i.sse} SSE held 30 s): ${
          i.tcpKiBPerMember.toFixed(1)
        } KiB per idle TCP member${sse}; ` +
          `final message received ${i.received} of ${i.expected}` +
          (i.cutOff ? `; ${i.cutOff} members cut off (first: ${i.cuts?.[0]?.how ?? "?"})` : "") +
          (i.left ? `; leaves seen: ${i.left.slow} too slow, ${i.left.lost} lost, ${i.left.other} other` : "") +
          ".",
      );}
  }
  if (results.crossCheck.length > 0) {
    lines.push("", "Cross-check with ../shared/tools/loadgen (same server, same load, deliveries/s, p99):", "");
    for (const c of results.crossCheck) {
      const a = c.gen.deliveries_per_s_window, b = c.reference.deliveries_per_s_window;
      lines.push(
        `- ${c.load}: bench ${mega(a)} M/s (p99 ${c.gen.p99_ms.toFixed(1)} ms), reference ${mega(b)} M/s ` +
          `(p99 ${c.reference.p99_ms.toFixed(1)} ms): ${((a / b - 1) * 100).toFixed(1)}%`,
      );
    }
  }
  if (results.notes.length > 0) lines.push("", ...results.notes.map((note) => `- ${note}`));
  if (results.overload?.length) lines.push("", overloadMarkdown(results.overload).trimEnd());
  if (results.redis) lines.push("", redisMarkdown(results.redis).trimEnd());
  if (results.abuse) lines.push("", abuseMarkdown(results.abuse).trimEnd());
  return lines.join("\n") + "\n";
}

export async function writeResults(
  results: Results,
  suffix = "",
): Promise<{ json: string; markdown: string; charts: string[] }> {
  const dir = `${ROOT}bench/results/`;
  await Deno.mkdir(dir, { recursive: true });
  const base = `${dir}${results.date}${results.quick ? "-quick" : ""}${suffix}`;
  await Deno.writeTextFile(`${base}.json`, JSON.stringify(results, null, 2) + "\n");
  await Deno.writeTextFile(`${base}.md`, markdown(results));
  const charts = await writeCharts(results, base);
  return { json: `${base}.json`, markdown: `${base}.md`, charts };
}
