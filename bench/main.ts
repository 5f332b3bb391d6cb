/**
 * `deno task bench`: how fast the chat server moves messages, next to a bare Deno and a bare C fan-out
 * measured in the same run, how it holds above saturation (overload), on Redis with two instances, and
 * what hostile clients cost it (abuse). `deno task bench -- --quick` runs a subset in about a minute;
 * `--only tcp-100,idle-10k` picks scenarios (overload brings the tcp sweeps it needs). Results go to
 * bench/results/<date>[-<only>].{json,md} with a chart per scenario beside them.
 */
import {
  compile,
  type GeneratorResult,
  hasCommand,
  OUR_FLAGS,
  OUT,
  REFERENCE_LOADGEN_SOURCE,
  ROOT,
  startBaseline,
  startOurs,
} from "./lib/procs.ts";
import { machine, markdown, type Results, type Scenario, writeResults } from "./lib/report.ts";
import { describe, measure, type Shape, sweepRates } from "./lib/sweep.ts";
import { webApiWorks } from "./lib/probe.ts";
import { idleRun } from "./lib/idle.ts";
import { crossChecks } from "./lib/cross_check.ts";
import { type OverloadInput, overloadPoints } from "./scenarios/overload.ts";
import { redisScenario } from "./scenarios/redis.ts";
import { abuse } from "./scenarios/abuse.ts";

const M = 1e6;

interface Plan {
  name: string;
  description: string;
  shape: Shape;
  rates: number[];
  quickRates?: number[];
  target: number;
  baselines: boolean;
  web: boolean;
}

const PLANS: Plan[] = [
  {
    name: "tcp-100",
    description: "100 TCP members, 10 senders",
    shape: { tcp: 100, sse: 0, senders: 10 },
    rates: [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((r) => r * M),
    target: 5 * M,
    baselines: true,
    web: false,
  },
  {
    name: "tcp-1000",
    description: "1000 TCP members, 10 senders",
    shape: { tcp: 1000, sse: 0, senders: 10 },
    rates: [0.25, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((r) => r * M),
    quickRates: [0.25, 0.5, 1, 2, 3].map((r) => r * M),
    target: 3 * M,
    baselines: true,
    web: false,
  },
  {
    name: "sse-1000",
    description: "1000 SSE members, 10 TCP senders",
    shape: { tcp: 10, sse: 1000, senders: 10 },
    rates: [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((r) => r * M),
    quickRates: [0.25, 0.5, 1, 1.5].map((r) => r * M),
    target: 1.5 * M,
    baselines: false,
    web: true,
  },
  {
    name: "mixed",
    description: "500 TCP (10 senders) + 500 SSE members",
    shape: { tcp: 500, sse: 500, senders: 10 },
    rates: [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((r) => r * M),
    target: 2 * M,
    baselines: false,
    web: true,
  },
];

function option(name: string): string | undefined {
  const index = Deno.args.indexOf(name);
  return index >= 0 ? Deno.args[index + 1] : undefined;
}

async function main(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const only = option("--only")?.split(",");
  const wanted = (name: string) => only ? only.includes(name) : !quick || QUICK.has(name);
  const seconds = Number(option("--seconds") ?? (quick ? 2 : 5));
  const notes: string[] = [];

  if (!await hasCommand("cc")) throw new Error("the bench needs a C compiler (cc) for its load generator");
  await compile(`${ROOT}bench/gen.c`, "gen");
  await compile(`${ROOT}bench/baseline/fanout.c`, "fanout-c");
  const reference = await Deno.stat(REFERENCE_LOADGEN_SOURCE).then(() => true, () => false);
  if (reference) await compile(REFERENCE_LOADGEN_SOURCE, "ref-loadgen");
  else notes.push(`${REFERENCE_LOADGEN_SOURCE} not found: no cross-check in this run.`);
  console.log(`built ${OUT}gen and ${OUT}fanout-c`);

  const web = await webApiWorks();
  if (!web) notes.push("The web API did not answer POST /api/session + GET /api/events: SSE scenarios skipped.");
  console.log(`server flags: ${OUR_FLAGS.join(" ")} (flood limit raised for the senders, everything else on)`);

  const overloadWanted = wanted("overload");
  // Overload is measured against the saturation each server reaches in this run's sweep of the same N.
  const neededByOverload = (name: string) =>
    overloadWanted && (quick ? ["tcp-1000"] : ["tcp-100", "tcp-1000"]).includes(name);
  const scenarios: Scenario[] = [];
  let steadyFromSweep: Results["steady"];
  for (const plan of PLANS) {
    if (!(wanted(plan.name) || neededByOverload(plan.name)) || (plan.web && !web)) continue;
    const rates = quick ? plan.quickRates ?? plan.rates : plan.rates;
    console.log(`${plan.name} (${plan.description}): ours`);
    const ours = await sweepRates(plan.shape, rates, seconds, () => startOurs());
    const scenario: Scenario = { name: plan.name, description: plan.description, target: plan.target, ours };
    if (plan.baselines && !quick) {
      console.log(`${plan.name}: bare Deno fan-out`);
      scenario.deno = await sweepRates(plan.shape, plan.rates, seconds, () => startBaseline("deno"));
      console.log(`${plan.name}: bare C fan-out`);
      scenario.c = await sweepRates(plan.shape, plan.rates, seconds, () => startBaseline("c"));
    }
    scenarios.push(scenario);
    if (plan.name === "tcp-1000") {
      const atOne = ours.runs.find((run) => run.target === M);
      if (atOne) steadyFromSweep = steadyOf(atOne.result);
    }
  }

  let overload;
  if (overloadWanted) {
    const inputs: OverloadInput[] = scenarios.filter((s) => neededByOverload(s.name)).map((s) => ({
      members: s.name === "tcp-100" ? 100 : 1000,
      sweeps: Object.fromEntries(Object.entries({ ours: s.ours, deno: s.deno, c: s.c }).filter(([, sweep]) => sweep)),
    }));
    overload = await overloadPoints(inputs, quick ? [2] : [2, 4], seconds);
  }

  const memoryN1000 = scenarios.find((scenario) => scenario.name === "tcp-1000")?.ours;
  const memoryN100 = scenarios.find((scenario) => scenario.name === "tcp-100")?.ours;
  const redis = wanted("redis") && !quick
    ? await redisScenario(REDIS_RATES, seconds, memoryN1000, memoryN100)
    : undefined;
  const abused = wanted("abuse") && (!quick || only) ? await abuse(quick) : undefined;

  let steady = steadyFromSweep;
  if (wanted("steady") && !quick) {
    console.log("1 M deliveries/s with N=1000:");
    const run = await measure({ tcp: 1000, sse: 0, senders: 10 }, M, 10, () => startOurs());
    console.log(describe(run));
    steady = steadyOf(run.result);
  }

  const idle = wanted("idle-10k") ? await idleRun(web) : undefined;
  const crossCheck = reference && wanted("cross-check") ? await crossChecks(seconds) : [];

  for (const scenario of scenarios) {
    const c = scenario.c?.saturation;
    if (!c) continue;
    notes.push(
      `Generator ceiling (${scenario.name}): it drove the bare C fan-out at ` +
        `${(c.result.deliveries_per_s_window / M).toFixed(2)} M/s using ${
          c.result.gen_cpu_pct.toFixed(0)
        }% of its core.`,
    );
  }
  const results: Results = {
    date: new Date().toISOString().slice(0, 10),
    quick,
    machine: await machine(),
    serverFlags: OUR_FLAGS,
    scenarios,
    steady,
    idle,
    crossCheck,
    overload,
    redis,
    abuse: abused,
    notes,
  };
  const paths = await writeResults(results, only ? `-${only.join("-")}` : "");
  console.log("\n" + markdown(results));
  console.log(`written: ${[paths.json, paths.markdown, ...paths.charts].join(", ")}`);
}

const QUICK = new Set(["tcp-1000", "sse-1000", "cross-check", "overload"]);
const REDIS_RATES = [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((r) => r * M);

function steadyOf(result: GeneratorResult): Results["steady"] {
  return {
    p50_ms: result.p50_ms,
    p99_ms: result.p99_ms,
    lost: result.lost,
    server_cpu_pct: result.server_cpu_pct,
    pass: result.lost === 0 && !result.setup_failed && result.p99_ms <= 20,
  };
}

if (import.meta.main) await main();
