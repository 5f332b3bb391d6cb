/**
 * The charts of a bench run: one SVG per rate scenario (its sweep for ours and the baselines, with the
 * overload points of the same N), and one for the Redis scenario, written next to the results as
 * `bench/results/<date>[-quick]-<scenario>.svg`.
 *
 * @example
 * ```ts
 * import type { Results } from "./report.ts";
 * import { writeCharts } from "./figures.ts";
 * export async function draw(results: Results): Promise<string[]> {
 *   return await writeCharts(results, "bench/results/2026-12-01"); // one SVG path per scenario
 * }
 * ```
 */
import { type ChartPoint, type ChartSeries, type ChartSpec, chartSvg } from "./chart.ts";
import type { Results } from "./report.ts";
import type { Run, Sweep } from "./sweep.ts";
import type { ServerKind } from "../scenarios/overload.ts";

const COLORS: Record<ServerKind, string> = { ours: "#1f5fbf", deno: "#d9822b", c: "#5b5b5b" };
const LABELS: Record<ServerKind, string> = { ours: "ours", deno: "bare Deno fan-out", c: "bare C fan-out" };

function point(run: Run): ChartPoint | undefined {
  const r = run.result;
  if (r.setup_failed) return undefined;
  return {
    offered: run.target,
    delivered: r.deliveries_per_s_window,
    p99Ms: r.p99_ms,
    failed: r.lost > 0 || (r.cut_off ?? r.dropped) > 0,
  };
}

/** One point per offered rate: the run that decided it (the last attempt). */
function points(runs: Run[]): ChartPoint[] {
  const last = new Map(runs.map((run) => [run.target, run]));
  return [...last.values()].map(point).filter((p): p is ChartPoint => p !== undefined);
}

/** Our saturation; 0 when not even the sweep's first rate passed (everything offered was overload). */
function saturationOf(sweep: Sweep | undefined): number | undefined {
  return sweep ? sweep.saturation?.result.deliveries_per_s_window ?? 0 : undefined;
}

function scenarioSpecs(results: Results): { name: string; spec: ChartSpec }[] {
  const specs = [];
  for (const scenario of results.scenarios) {
    const members = Number(scenario.name.match(/^tcp-(\d+)$/)?.[1] ?? NaN);
    const overload = (results.overload ?? []).filter((p) => p.members === members);
    const series: ChartSeries[] = [];
    for (const kind of ["ours", "deno", "c"] as ServerKind[]) {
      const sweep = scenario[kind];
      const extra = overload.filter((p) => p.server === kind).map((p) => p.run);
      if (!sweep && extra.length === 0) continue;
      series.push({ label: LABELS[kind], color: COLORS[kind], points: points([...(sweep?.runs ?? []), ...extra]) });
    }
    const overloadNote = overload.length > 0 ? ", then 2× and 4× each server's own saturation" : "";
    specs.push({
      name: scenario.name,
      spec: {
        title: `${scenario.name}: ${scenario.description}`,
        subtitle: `Rate sweep${overloadNote}; 64-byte messages; ${results.date}, ${results.machine.cores} cores, ` +
          `server on core 1, generator on core 0.`,
        overloadFrom: saturationOf(scenario.ours),
        series,
      },
    });
  }
  if (results.redis) {
    const series: ChartSeries[] = [
      { label: "one instance on Redis", color: COLORS.ours, points: points(results.redis.one.runs) },
      { label: "two instances on one Redis", color: "#8e44ad", points: points(results.redis.two.runs) },
    ];
    const memory = results.scenarios.find((s) => s.name === "tcp-1000")?.ours;
    if (memory) series.push({ label: "one instance, memory store", color: COLORS.c, points: points(memory.runs) });
    specs.push({
      name: "redis",
      spec: {
        title: "redis: 1000 TCP members, 10 senders, on one instance or two",
        subtitle: `Instances and Redis share core 1, the generator has core 0; overload shaded above the two ` +
          `instances' saturation; ${results.date}.`,
        overloadFrom: saturationOf(results.redis.two),
        series,
      },
    });
  }
  return specs;
}

/** Writes every chart of `results` as `<base>-<scenario>.svg`; the paths written. */
export async function writeCharts(results: Results, base: string): Promise<string[]> {
  const paths = [];
  for (const { name, spec } of scenarioSpecs(results)) {
    const path = base.endsWith(`-${name}`) ? `${base}.svg` : `${base}-${name}.svg`;
    await Deno.writeTextFile(path, chartSvg(spec));
    paths.push(path);
  }
  return paths;
}
