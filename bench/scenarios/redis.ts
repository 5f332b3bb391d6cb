/**
 * The Redis scenario (issue 11): one room on Redis, served by two instances (half the TCP members on
 * each, the 10 senders alternating) against one instance with all of them; a rate sweep each, a fresh
 * Redis and fresh instances for every run. Latency across instances times a sender on A to a reader on B.
 * One instance with 100 members too, where the messages themselves are the load; each ratio is to the
 * in-memory sweep of the same shape in the same run.
 *
 * The cost of the Redis path: the same load (N=1000 at {@link COST_RATE}) on one instance in memory, one on
 * Redis and two on Redis, with the CPU every process used in the measured window (the generator reads
 * /proc at the window's start and end): the instances' seconds per million deliveries, Redis's per thousand
 * messages. From those the README works out how many instances and
 * Redis cores a room needs.
 *
 * Pinning on a 2-core machine: both instances and Redis on core 1, the generator on core 0. The two
 * instances share one core with Redis, so they cannot beat one instance here: the figure shows what
 * the Redis path costs and that the room still works across instances, not what a second machine adds.
 *
 * @example
 * ```ts
 * const result = await redisScenario([0.5e6, 1e6], 5);
 * console.log(redisMarkdown(result));
 * ```
 */
import { type GeneratorResult, runGenerator, type RunningServer, startOurs } from "../lib/procs.ts";
import { startRedis } from "../lib/redis.ts";
import {
  mega,
  ratio,
  type Run,
  saturation,
  type Sweep,
  sweepRates,
  WARMUP_DELIVERIES,
  WARMUP_S,
} from "../lib/sweep.ts";

export const REDIS_SHAPE = { tcp: 1000, sse: 0, senders: 10 };
/** Where the messages themselves are the load (tens of thousands a second through Redis): one instance. */
export const REDIS_SHAPE_100 = { tcp: 100, sse: 0, senders: 10 };
/** The load the costs are measured at: well under every setup's saturation, so all of them carry it whole. */
export const COST_RATE = 1e6;

export interface RedisResult {
  one: Sweep;
  two: Sweep;
  /** The in-memory sweep of the same shape in the same run (tcp-1000), for the ratio. */
  memory?: Sweep;
  /** One instance with {@link REDIS_SHAPE_100}, and the in-memory tcp-100 sweep of the same run. */
  hundred?: Sweep;
  memory100?: Sweep;
  costs: Cost[];
}

/** CPU per delivery for one setup at {@link COST_RATE}. */
export interface Cost {
  setup: "memory" | "redis, one instance" | "redis, two instances";
  deliveries: number;
  messages: number;
  /** The instances' CPU seconds in the window, added up. */
  instanceCpuS: number;
  redisCpuS?: number;
  p99_ms: number;
  lost: number;
}

/** A fresh Redis and `count` instances on it, seen as one server (RSS: instances and Redis together). */
async function onRedis(count: 1 | 2): Promise<RunningServer & { pids: number[]; redisPid: number }> {
  const redis = await startRedis();
  const instances: RunningServer[] = [];
  try {
    for (let i = 0; i < count; i++) instances.push(await startOurs(["--redis", redis.url]));
  } catch (error) {
    for (const instance of instances) await instance.stop();
    await redis[Symbol.asyncDispose]();
    throw error;
  }
  const stop = async () => {
    for (const instance of instances) await instance.stop();
    await redis[Symbol.asyncDispose]();
  };
  const [a, b] = instances;
  return {
    pid: a.pid,
    tcpPort: a.tcpPort,
    tcpPort2: b?.tcpPort,
    httpPort: a.httpPort,
    async memory() {
      const all = await Promise.all([...instances.map((s) => s.memory()), redis.memory()]);
      return {
        rssKiB: all.reduce((sum, m) => sum + m.rssKiB, 0),
        peakKiB: all.reduce((sum, m) => sum + m.peakKiB, 0),
      };
    },
    pids: instances.map((instance) => instance.pid),
    redisPid: redis.pid,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

export async function redisScenario(
  rates: number[],
  seconds: number,
  memory?: Sweep,
  memory100?: Sweep,
): Promise<RedisResult> {
  console.log(`redis (${REDIS_SHAPE.tcp} TCP members, 10 senders): one instance on Redis`);
  const one = await sweepRates(REDIS_SHAPE, rates, seconds, () => onRedis(1));
  console.log("redis: two instances on one Redis, members and senders alternating");
  const two = await sweepRates(REDIS_SHAPE, rates, seconds, () => onRedis(2));
  console.log(`redis (${REDIS_SHAPE_100.tcp} TCP members, 10 senders): one instance on Redis`);
  const hundred = await sweepRates(REDIS_SHAPE_100, rates, seconds, () => onRedis(1));
  console.log(`redis: CPU per delivery at ${mega(COST_RATE)} M/s, in memory, one instance and two on Redis`);
  const costs = await redisCosts(seconds);
  return { one, two, memory, hundred, memory100, costs };
}

/** The CPU each setup spends on the same load, measured over the generator's run (after the same warm-up). */
export async function redisCosts(seconds: number): Promise<Cost[]> {
  const costs: Cost[] = [];
  const setups: [Cost["setup"], () => Promise<RunningServer & { pids: number[]; redisPid?: number }>][] = [
    ["memory", async () => {
      const server = await startOurs();
      return { ...server, pids: [server.pid] };
    }],
    ["redis, one instance", () => onRedis(1)],
    ["redis, two instances", () => onRedis(2)],
  ];
  for (const [setup, start] of setups) {
    await using server = await start();
    const load = { port: server.tcpPort, port2: server.tcpPort2, tcp: REDIS_SHAPE.tcp, senders: REDIS_SHAPE.senders };
    const warm = Math.min(COST_RATE, WARMUP_DELIVERIES) / REDIS_SHAPE.tcp;
    await runGenerator({ ...load, rate: warm, seconds: WARMUP_S, names: "warm" }, server.pid);
    const pids = [...server.pids, ...(server.redisPid === undefined ? [] : [server.redisPid])];
    const result: GeneratorResult = await runGenerator(
      { ...load, rate: COST_RATE / REDIS_SHAPE.tcp, seconds, cpuPids: pids },
      server.pid,
    );
    const used = result.cpu_pids_s ?? [];
    const cost: Cost = {
      setup,
      deliveries: result.received_in_window ?? result.received,
      messages: result.sent,
      instanceCpuS: used.slice(0, server.pids.length).reduce((sum, s) => sum + s, 0),
      redisCpuS: server.redisPid === undefined ? undefined : used.at(-1),
      p99_ms: result.p99_ms,
      lost: result.lost,
    };
    console.log(`  ${setup}: ${costLine(cost)}`);
    costs.push(cost);
  }
  return costs;
}

/** CPU seconds per million deliveries. */
export function perMillion(cost: Cost): number {
  return cost.instanceCpuS / (cost.deliveries / 1e6);
}

/** Redis's CPU seconds per thousand messages. */
export function redisPerThousand(cost: Cost): number | undefined {
  return cost.redisCpuS === undefined ? undefined : cost.redisCpuS / (cost.messages / 1000);
}

function costLine(cost: Cost): string {
  const redis = redisPerThousand(cost);
  return `${perMillion(cost).toFixed(3)} CPU s per M deliveries` +
    (redis === undefined ? "" : `, Redis ${(redis * 1000).toFixed(2)} CPU ms per 1,000 messages`) +
    `, p99 ${cost.p99_ms.toFixed(1)} ms, lost ${cost.lost}`;
}

function cell(run: Run | undefined, cross: boolean): string {
  if (!run) return "– | – |";
  const r = run.result;
  if (r.setup_failed) return `setup failed | – |`;
  const latency = cross
    ? `${r.p50_ms.toFixed(1)} / ${r.p99_ms.toFixed(1)} (across: ${r.p50_cross_ms.toFixed(1)} / ${
      r.p99_cross_ms.toFixed(1)
    })`
    : `${r.p50_ms.toFixed(1)} / ${r.p99_ms.toFixed(1)}`;
  const failed = run.pass ? "" : ` FAIL (lost ${r.lost}, cut off ${r.cut_off})`;
  return `${mega(r.deliveries_per_s_window)}${failed} | ${latency} |`;
}

/** The deciding run at each rate: the last attempt. */
function byRate(sweep: Sweep): Map<number, Run> {
  return new Map(sweep.runs.map((run) => [run.target, run]));
}

export function redisMarkdown(result: RedisResult): string {
  const one = byRate(result.one), two = byRate(result.two);
  const rates = [...new Set([...one.keys(), ...two.keys()])].sort((a, b) => a - b);
  const versus = (redis: Sweep, memory: Sweep | undefined) =>
    memory?.saturation && redis.saturation
      ? ` Its saturation over the in-memory one of the same shape in this run (${saturation(memory)} M/s): ${
        ratio(redis, memory)
      }.`
      : "";
  const hundred = result.hundred
    ? [
      "",
      `At N=${REDIS_SHAPE_100.tcp} (the messages themselves the load): one instance ${saturation(result.hundred)} M/s.${
        versus(result.hundred, result.memory100)
      }`,
    ]
    : [];
  const memoryCost = result.costs.find((cost) => cost.setup === "memory");
  const costRows = result.costs.map((cost) => {
    const redis = redisPerThousand(cost);
    const relative = memoryCost ? (perMillion(cost) / perMillion(memoryCost)).toFixed(2) : "–";
    return `| ${cost.setup} | ${perMillion(cost).toFixed(3)} | ${relative}× | ${
      redis === undefined ? "–" : (redis * 1000).toFixed(2)
    } | ${cost.p99_ms.toFixed(1)} | ${cost.lost} |`;
  });
  const lines = [
    "## Several instances on Redis",
    "",
    `${REDIS_SHAPE.tcp} TCP members and 10 senders in all: on one instance, or alternating between two instances of`,
    "the same room (a fresh redis-server and fresh instances for every run). Both instances and Redis are pinned to",
    "core 1, the generator to core 0: the instances share one core with Redis, so this measures the cost of the Redis",
    "path and the latency across instances, not the gain of a second machine. Peak RSS counts instances and Redis.",
    "",
    `Saturation: one instance ${saturation(result.one)} M/s, two instances ${saturation(result.two)} M/s.${
      versus(result.one, result.memory)
    }`,
    ...hundred,
    "",
    `CPU for the same load (N=${REDIS_SHAPE.tcp}, ${mega(COST_RATE)} M deliveries/s offered, ${
      result.costs[0]?.messages ?? 0
    } messages), over the measured window:`,
    "",
    "| setup | instances' CPU s per M deliveries | vs memory | Redis CPU ms per 1,000 messages | p99 ms | lost |",
    "|---|---|---|---|---|---|",
    ...costRows,
    "",
    "| offered M/s | one: delivered M/s | p50 / p99 ms | two: delivered M/s | p50 / p99 ms |",
    "|---|---|---|---|---|",
  ];
  for (const rate of rates) lines.push(`| ${mega(rate)} | ${cell(one.get(rate), false)} ${cell(two.get(rate), true)}`);
  return lines.join("\n") + "\n";
}
