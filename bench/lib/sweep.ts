/**
 * A rate sweep: the same load at rising rates, a fresh server for each run (warmed up first), until the server
 * saturates. Saturation is the highest rate with nothing lost, nothing garbled, nobody dropped and p99 < 100 ms.
 *
 * @example
 * ```ts
 * import { startOurs } from "./procs.ts";
 * import { sweepRates } from "./sweep.ts";
 * export async function tcp1000() {
 *   const sweep = await sweepRates({ tcp: 1000, sse: 0, senders: 10 }, [1e6, 2e6], 2, startOurs);
 *   return sweep.saturation; // the highest rate that passed, if any
 * }
 * ```
 */
import { OPTIONS } from "../../server/config.ts";
import { sleep } from "../../server/async/deadline.ts";
import { type GeneratorLoad, type GeneratorResult, runGenerator, type RunningServer } from "./procs.ts";

export const P99_LIMIT_MS = 100;
/**
 * Before each measured run the server gets this long of the same shape of load, from other connections, at
 * {@link WARMUP_DELIVERIES} at most. A fresh V8 compiles its hot paths on the one core the server is pinned to,
 * and that alone put a p99 of ~90 ms into a 5 s window (the same server warmed: 6–11 ms), which decided the
 * saturation of every server whatever the rate.
 */
export const WARMUP_S = 2;
/** Enough to run every hot path; little enough that every server here drains it at once. */
export const WARMUP_DELIVERIES = 250_000;
/**
 * A browser stays a member for the server's grace (`--grace`) after its stream closes: the warm-up's browsers
 * are given that long and a second more to leave, or their 1,000 leaves land in the measured window.
 */
const WARMUP_GRACE_MS = (Number(OPTIONS.grace.default) + 1) * 1000;

export interface Shape {
  tcp: number;
  sse: number;
  senders: number;
}

export interface Run {
  /** Deliveries per second asked for (messages/s × members). */
  target: number;
  pass: boolean;
  result: GeneratorResult;
  peakRssKiB: number;
}

export interface Sweep {
  runs: Run[];
  saturation: Run | undefined;
}

export function passes(result: GeneratorResult, messages: number): boolean {
  return !result.setup_failed && result.lost === 0 && result.garbled === 0 && result.dropped === 0 &&
    result.p99_ms >= 0 && result.p99_ms < P99_LIMIT_MS && result.sent >= 0.99 * messages;
}

/** One run of `shape` at `deliveries`/s on a fresh server, after its warm-up; `more` adds to the generator's load. */
export async function measure(
  shape: Shape,
  deliveries: number,
  seconds: number,
  start: () => Promise<RunningServer>,
  more: Partial<GeneratorLoad> = {},
): Promise<Run> {
  const members = shape.tcp + shape.sse;
  const rate = deliveries / members;
  await using server = await start();
  const load = {
    port: server.tcpPort,
    port2: server.tcpPort2,
    httpPort: shape.sse > 0 ? server.httpPort : undefined,
    tcp: shape.tcp,
    sse: shape.sse,
    senders: shape.senders,
  };
  const warmup = Math.min(deliveries, WARMUP_DELIVERIES) / members;
  await runGenerator({ ...load, rate: warmup, seconds: WARMUP_S, names: "warm" }, server.pid);
  if (shape.sse > 0) await sleep(WARMUP_GRACE_MS);
  const result = await runGenerator({ ...load, rate, seconds, ...more }, server.pid);
  const { peakKiB } = await server.memory();
  return { target: deliveries, pass: passes(result, rate * seconds), result, peakRssKiB: peakKiB };
}

/** Runs of one rate before it counts as failed: the machine is shared, so one bad run proves little. */
export const ATTEMPTS = 3;

/** Runs the rates in order until one fails {@link ATTEMPTS} times in a row. */
export async function sweepRates(
  shape: Shape,
  rates: number[],
  seconds: number,
  start: () => Promise<RunningServer>,
  log: (line: string) => void = console.log,
): Promise<Sweep> {
  const runs: Run[] = [];
  for (const target of rates) {
    let run = await measure(shape, target, seconds, start);
    log(describe(run));
    for (let attempt = 2; !run.pass && attempt <= ATTEMPTS; attempt++) {
      runs.push(run);
      run = await measure(shape, target, seconds, start);
      log(`${describe(run)} (attempt ${attempt})`);
    }
    runs.push(run);
    if (!run.pass) break;
  }
  const passing = runs.filter((run) => run.pass);
  return { runs, saturation: passing.at(-1) };
}

export function describe(run: Run): string {
  const r = run.result;
  if (r.setup_failed) return `  ${mega(run.target)} M/s: setup failed (${r.setup_failed})`;
  return `  ${mega(run.target)} M/s → ${mega(r.deliveries_per_s_window)} M/s, lost ${r.lost}, p50 ${
    r.p50_ms.toFixed(1)
  } ms, ` +
    `p99 ${r.p99_ms.toFixed(1)} ms, CPU: server ${r.server_cpu_pct.toFixed(0)}%, generator ${
      r.gen_cpu_pct.toFixed(0)
    }%, others ${(r.others_cpu_pct ?? 0).toFixed(0)}%${run.pass ? "" : "  FAIL"}${
      r.first_error ? ` (${r.first_error})` : ""
    }`;
}

export function mega(value: number): string {
  return (value / 1e6).toFixed(2);
}

/** The sweep never failed: its highest rate passed, so saturation lies beyond it. */
function unbounded(sweep: Sweep | undefined): boolean {
  return sweep?.runs.at(-1)?.pass ?? false;
}

/** A sweep's saturation as written: `≥ x` when its top passed, `< x` when its lowest failed. */
export function saturation(sweep: Sweep | undefined): string {
  if (!sweep) return "–";
  const run = sweep.saturation;
  if (!run) return "< " + mega(sweep.runs[0]?.target ?? 0);
  return (unbounded(sweep) ? "≥ " : "") + mega(run.result.deliveries_per_s_window);
}

/** `ours` / `other` by saturation, `≥`/`≤` where one of them never failed, `≈ 1` where neither did. */
export function ratio(ours: Sweep, other: Sweep | undefined): string {
  const a = ours.saturation?.result.deliveries_per_s_window;
  const b = other?.saturation?.result.deliveries_per_s_window;
  if (!a || !b || !other) return "–";
  if (unbounded(ours) && unbounded(other)) return "≈ 1 (both ≥ the sweep's top)";
  return (unbounded(other) ? "≤ " : unbounded(ours) ? "≥ " : "") + (a / b).toFixed(2);
}
