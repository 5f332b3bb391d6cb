/**
 * `deno task bench`: how fast the chat server moves messages, next to a bare Deno and a bare C fan-out
 * measured in the same run. `deno task bench -- --quick` runs a subset in about a minute;
 * `--only tcp-100,idle-10k` picks scenarios. Results go to bench/results/<date>.{json,md}.
 */
import {
  compile,
  hasCommand,
  OUR_FLAGS,
  OUT,
  REFERENCE_LOADGEN_SOURCE,
  ROOT,
  runGenerator,
  runReference,
  startBaseline,
  startOurs,
} from "./lib/procs.ts";
import { machine, markdown, type Results, type Scenario, writeResults } from "./lib/report.ts";
import { describe, measure, type Shape, sweepRates } from "./lib/sweep.ts";
import { webApiWorks } from "./lib/probe.ts";

const M = 1e6;
const IDLE_HOLD_S = 30;
const IDLE_FLAGS = ["--sendq", String(4 * 1024 * 1024)];

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
    rates: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((r) => r * M),
    target: 5 * M,
    baselines: true,
    web: false,
  },
  {
    name: "tcp-1000",
    description: "1000 TCP members, 10 senders",
    shape: { tcp: 1000, sse: 0, senders: 10 },
    rates: [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => r * M),
    quickRates: [1, 2, 3, 4, 5].map((r) => r * M),
    target: 3 * M,
    baselines: true,
    web: false,
  },
  {
    name: "sse-1000",
    description: "1000 SSE members, 10 TCP senders",
    shape: { tcp: 10, sse: 1000, senders: 10 },
    rates: [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5].map((r) => r * M),
    quickRates: [0.5, 1, 1.5, 2].map((r) => r * M),
    target: 1.5 * M,
    baselines: false,
    web: true,
  },
  {
    name: "mixed",
    description: "500 TCP (10 senders) + 500 SSE members",
    shape: { tcp: 500, sse: 500, senders: 10 },
    rates: [0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6].map((r) => r * M),
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

  const scenarios: Scenario[] = [];
  let steadyFromSweep: Results["steady"];
  for (const plan of PLANS) {
    if (!wanted(plan.name) || (plan.web && !web)) continue;
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

  let steady = steadyFromSweep;
  if (wanted("steady") && !quick) {
    console.log("1 M deliveries/s with N=1000:");
    const run = await measure({ tcp: 1000, sse: 0, senders: 10 }, M, 10, () => startOurs());
    console.log(describe(run));
    steady = steadyOf(run.result);
  }

  const idle = wanted("idle-10k") ? await idleRun(web) : undefined;
  const crossCheck = reference && wanted("cross-check") ? await crossChecks(seconds) : [];

  const c = scenarios.find((s) => s.name === "tcp-100")?.c?.saturation;
  if (c) {
    notes.push(
      `Generator ceiling: it drove the bare C fan-out at ${(c.result.deliveries_per_s_window / M).toFixed(2)} M/s ` +
        `using ${c.result.gen_cpu_pct.toFixed(0)}% of its core.`,
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
    notes,
  };
  const paths = await writeResults(results);
  console.log("\n" + markdown(results));
  console.log(`written: ${paths.json}, ${paths.markdown}`);
}

const QUICK = new Set(["tcp-1000", "sse-1000", "cross-check"]);

function steadyOf(result: Awaited<ReturnType<typeof runGenerator>>): Results["steady"] {
  return {
    p50_ms: result.p50_ms,
    p99_ms: result.p99_ms,
    lost: result.lost,
    server_cpu_pct: result.server_cpu_pct,
    pass: result.lost === 0 && !result.setup_failed && result.p99_ms <= 20,
  };
}

/** 10,000 idle members (half TCP, half SSE when the web door works) held 30 s, then one message to all. */
async function idleRun(web: boolean): Promise<Results["idle"]> {
  const tcp = web ? 5000 : 10000, sse = web ? 5000 : 0;
  // Each new stream starts with the full members list (~40 bytes a member), more than the default sendq
  // once several thousand are present: the idle run raises it (and says so).
  console.log(`idle-10k: ${tcp} TCP + ${sse} SSE members held ${IDLE_HOLD_S} s (${IDLE_FLAGS.join(" ")})`);
  await using server = await startOurs(IDLE_FLAGS);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const base = (await server.memory()).rssKiB;
  const r = await runGenerator({
    port: server.tcpPort,
    httpPort: sse > 0 ? server.httpPort : undefined,
    tcp,
    sse,
    senders: 1,
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
  };
  console.log(`  ${JSON.stringify(idle)}`);
  return idle;
}

/** The same server and load measured by our generator and by the reference loadgen, back to back. */
async function crossChecks(seconds: number): Promise<Results["crossCheck"]> {
  const checks: Results["crossCheck"] = [];
  const loads = [
    { label: "ours, N=1000, 2 M deliveries/s", start: () => startOurs(), tcp: 1000, deliveries: 2 * M },
    { label: "bare C, N=100, 6 M deliveries/s", start: () => startBaseline("c"), tcp: 100, deliveries: 6 * M },
  ];
  for (const load of loads) {
    const shape = { port: 0, tcp: load.tcp, senders: 10, rate: load.deliveries / load.tcp, seconds };
    let gen, ref;
    {
      await using server = await load.start();
      gen = await runGenerator({ ...shape, port: server.tcpPort }, server.pid);
    }
    {
      await using server = await load.start();
      ref = await runReference({ ...shape, port: server.tcpPort }, server.pid);
    }
    const picked = {
      deliveries_per_s_window: gen.deliveries_per_s_window,
      lost: gen.lost,
      p50_ms: gen.p50_ms,
      p99_ms: gen.p99_ms,
      gen_cpu_pct: gen.gen_cpu_pct,
      server_cpu_pct: gen.server_cpu_pct,
    };
    console.log(`cross-check ${load.label}: bench ${JSON.stringify(picked)} reference ${JSON.stringify(ref)}`);
    checks.push({ load: load.label, gen: picked, reference: ref });
  }
  return checks;
}

if (import.meta.main) await main();
