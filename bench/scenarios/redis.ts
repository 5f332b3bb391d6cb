/**
 * The Redis scenario (issue 11): one room on Redis, served by two instances (half the TCP members on
 * each, the 10 senders alternating) against one instance with all of them; a rate sweep each, a fresh
 * Redis and fresh instances for every run. Latency across instances times a sender on A to a reader on B.
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
import { type RunningServer, startOurs } from "../lib/procs.ts";
import { startRedis } from "../lib/redis.ts";
import { mega, type Run, type Sweep, sweepRates } from "../lib/sweep.ts";

export const REDIS_SHAPE = { tcp: 1000, sse: 0, senders: 10 };

export interface RedisResult {
  one: Sweep;
  two: Sweep;
}

/** A fresh Redis and `count` instances on it, seen as one server (RSS: instances and Redis together). */
async function onRedis(count: 1 | 2): Promise<RunningServer> {
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
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

export async function redisScenario(rates: number[], seconds: number): Promise<RedisResult> {
  console.log(`redis (${REDIS_SHAPE.tcp} TCP members, 10 senders): one instance on Redis`);
  const one = await sweepRates(REDIS_SHAPE, rates, seconds, () => onRedis(1));
  console.log("redis: two instances on one Redis, members and senders alternating");
  const two = await sweepRates(REDIS_SHAPE, rates, seconds, () => onRedis(2));
  return { one, two };
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
  const saturation = (sweep: Sweep) => {
    const run = sweep.saturation;
    if (!run) return "none";
    return `${sweep.runs.at(-1)?.pass ? "≥ " : ""}${mega(run.result.deliveries_per_s_window)} M/s`;
  };
  const lines = [
    "## Several instances on Redis",
    "",
    `${REDIS_SHAPE.tcp} TCP members and 10 senders in all: on one instance, or alternating between two instances of`,
    "the same room (a fresh redis-server and fresh instances for every run). Both instances and Redis are pinned to",
    "core 1, the generator to core 0: the instances share one core with Redis, so this measures the cost of the Redis",
    "path and the latency across instances, not the gain of a second machine. Peak RSS counts instances and Redis.",
    "",
    `Saturation: one instance ${saturation(result.one)}, two instances ${saturation(result.two)}.`,
    "",
    "| offered M/s | one: delivered M/s | p50 / p99 ms | two: delivered M/s | p50 / p99 ms |",
    "|---|---|---|---|---|",
  ];
  for (const rate of rates) lines.push(`| ${mega(rate)} | ${cell(one.get(rate), false)} ${cell(two.get(rate), true)}`);
  return lines.join("\n") + "\n";
}
