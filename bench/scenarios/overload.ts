/**
 * The overload scenario (issue 9): N TCP members, 10 senders, offered 2× and 4× the saturation each
 * server reached in the same run's sweep (ours, the bare Deno and the bare C fan-out, each at its own).
 * The bar: delivered throughput stays within 80% of saturation, nothing is lost, nobody is cut off.
 *
 * @example
 * ```ts
 * import type { Sweep } from "../lib/sweep.ts";
 * import { overloadMarkdown, overloadPoints } from "./overload.ts";
 * export async function atTwiceAndFour(ours: Sweep): Promise<void> {
 *   const points = await overloadPoints([{ members: 100, sweeps: { ours } }], [2, 4], 5);
 *   console.log(overloadMarkdown(points));
 * }
 * ```
 */
import type { RunningServer } from "../lib/procs.ts";
import { startBaseline, startOurs } from "../lib/procs.ts";
import { describe, measure, mega, type Run, type Sweep } from "../lib/sweep.ts";
import { unreadSampler } from "../lib/unread.ts";

export type ServerKind = "ours" | "deno" | "c";

const START: Record<ServerKind, () => Promise<RunningServer>> = {
  ours: () => startOurs(),
  deno: () => startBaseline("deno"),
  c: () => startBaseline("c"),
};

const LABEL: Record<ServerKind, string> = { ours: "ours", deno: "bare Deno", c: "bare C" };

/** The share of saturation delivered throughput must keep above saturation (issue 9). */
export const KEEP = 0.8;
/** What is still queued (kernel buffers, the senders' queues) must have time to arrive after the window. */
const DRAIN_S = 60;

export interface OverloadPoint {
  server: ServerKind;
  members: number;
  multiple: number;
  /** Deliveries/s the server reached in its sweep (delivered at its highest passing rate). */
  saturation: number;
  /**
   * "≥": the sweep's top rate passed, the saturation is a lower bound (usually the generator's limit).
   * "<": not even the sweep's first rate passed; its delivered rate stands in, an upper bound.
   */
  bound: "≥" | "<" | "";
  run: Run;
  /** Delivered ≥ KEEP × saturation, nothing lost, nobody cut off. */
  meetsBar: boolean;
  /** Input the server left unread in its sockets' receive queues: the peak, and how long more than 64 KiB waited. */
  unread: { peakBytes: number; secondsWaiting: number };
}

export interface OverloadInput {
  members: number;
  sweeps: Partial<Record<ServerKind, Sweep>>;
}

export async function overloadPoints(inputs: OverloadInput[], multiples: number[], seconds: number) {
  const points: OverloadPoint[] = [];
  for (const { members, sweeps } of inputs) {
    for (const server of Object.keys(sweeps) as ServerKind[]) {
      const sweep = sweeps[server]!;
      const saturated = sweep.saturation ?? sweep.runs.find((run) => !run.result.setup_failed);
      if (!saturated) {
        console.log(`overload N=${members} ${LABEL[server]}: every run of the sweep failed to set up, skipped`);
        continue;
      }
      const saturation = saturated.result.deliveries_per_s_window;
      const bound = !sweep.saturation ? "<" : sweep.runs.at(-1)?.pass ? "≥" : "";
      for (const multiple of multiples) {
        const shape = { tcp: members, sse: 0, senders: 10 };
        console.log(`overload N=${members} ${LABEL[server]}: ${multiple}× ${bound}${mega(saturation)} M/s`);
        let sampler: ReturnType<typeof unreadSampler> | undefined;
        const start = async () => {
          const running = await START[server]();
          sampler = unreadSampler(running.tcpPort);
          return running;
        };
        const run = await measure(shape, multiple * saturation, seconds, start, { drainSeconds: DRAIN_S });
        const unread = sampler?.stop() ?? { peakBytes: 0, secondsWaiting: 0 };
        console.log(`${describe(run)}${overloadDetail(run)}, unread input peak ${mib(unread.peakBytes)} MiB`);
        const r = run.result;
        const meetsBar = !r.setup_failed && r.lost === 0 && r.cut_off === 0 &&
          r.deliveries_per_s_window >= KEEP * saturation;
        points.push({ server, members, multiple, saturation, bound, run, meetsBar, unread });
      }
    }
  }
  return points;
}

function overloadDetail(run: Run): string {
  const r = run.result;
  if (r.setup_failed) return "";
  return `, sent ${pct(r.sent / r.offered)} of offered, senders blocked ${r.sender_blocked_pct.toFixed(0)}%, ` +
    `cut off ${r.cut_off} (${r.cut_senders} senders), peak RSS ${(run.peakRssKiB / 1024).toFixed(0)} MiB`;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}

export function overloadMarkdown(points: OverloadPoint[]): string {
  if (points.length === 0) return "";
  const lines = [
    "## Overload",
    "",
    'Offered k × each server\'s own saturation from this run\'s sweep ("≥": the sweep\'s top passed, a lower bound; "<":',
    "not even its first rate passed, and what that run delivered stands in for it). Bar (issue 9): delivered ≥",
    `${KEEP * 100}% of saturation, nothing lost, nobody cut off.`,
    "'sent': share of the offered messages the senders got to send (TCP pushed back the rest, unless the generator fell",
    "behind: see its CPU). 'unread': the most input that waited in the server's receive queues (it stopped reading, or",
    "read slower than it came). p50/p99 count from each message's scheduled send time (open loop), so they include the",
    "time it waited to be read.",
    "How often our input paused is not in this table: the server serves it as `chat_backlog_pauses_total` on /metrics.",
    "",
    "| N | server | saturation M/s | offered M/s | delivered M/s | of sat. | sent | lost | cut off (senders) | p50 / p99 ms | peak RSS MiB | unread MiB | gen / others CPU | bar |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const p of points) {
    const r = p.run.result;
    const head = `| ${p.members} | ${LABEL[p.server]} | ${p.bound} ${mega(p.saturation)} | ` +
      `${p.multiple}× = ${mega(p.run.target)} |`;
    if (r.setup_failed) {
      lines.push(`${head} setup failed: ${r.setup_failed} ||||||||| not met |`);
      continue;
    }
    const delivered = r.deliveries_per_s_window;
    const cells = [
      mega(delivered),
      pct(delivered / p.saturation),
      pct(r.sent / r.offered),
      String(r.lost),
      `${r.cut_off} (${r.cut_senders})`,
      `${r.p50_ms.toFixed(0)} / ${r.p99_ms.toFixed(0)}`,
      (p.run.peakRssKiB / 1024).toFixed(0),
      mib(p.unread.peakBytes),
      `${r.gen_cpu_pct.toFixed(0)}% / ${r.others_cpu_pct.toFixed(0)}%`,
      p.meetsBar ? "met" : "not met",
    ];
    lines.push(`${head} ${cells.join(" | ")} |`);
  }
  const failures = points.filter((p) => !p.run.result.setup_failed && (p.run.result.cut_off > 0 || p.run.result.lost));
  if (failures.length > 0) lines.push("", "How it failed:", "");
  for (const p of failures) {
    const r = p.run.result;
    const first = r.cuts.slice(0, 5).map((c) =>
      `${c.member}${c.sender ? " (sender)" : ""} at ${c.at_ms} ms: ${c.how}${c.said ? `, last said "${c.said}"` : ""}`
    );
    const where = `N=${p.members} ${LABEL[p.server]} ${p.multiple}×`;
    const who = `${r.cut_off} cut off (${r.cut_senders} senders, ${r.cut_off - r.cut_senders} readers)`;
    const lost = `${r.lost} deliveries lost (${r.gaps} of them gaps in a connected member's sequence)`;
    lines.push(`- ${where}: ${who}, ${lost}${first.length ? `; first: ${first.join("; ")}` : ""}.`);
  }
  return lines.join("\n") + "\n";
}
