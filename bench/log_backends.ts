/**
 * What the SQLite log costs next to the memory log, under the same load, in one process (no network):
 *
 * - throughput: appends in bursts of {@link BURST} (one socket read's worth), yielding to the event loop
 *   between bursts, as fast as the machine goes, until every row is on disk;
 * - latency at a steady {@link RATE} appends/s: the time append() takes (append → subscriber: the
 *   subscriber is called inside append), append → durable (the batch holding the event is committed:
 *   what a SIGKILL can lose at most), and the longest the event loop was stalled (flushes, pruning).
 *
 * Every SQLite run keeps {@link RETAIN} rows, so pruning runs throughout. `--quick` shortens the runs.
 *
 *   deno run -A bench/log_backends.ts            # writes bench/results/log-<date>.{json,md}
 */
import { setImmediate } from "node:timers";
import type { RoomLog } from "../server/log/log.ts";
import { MemoryLog } from "../server/log/memory.ts";
import { FLUSH_MS, SqliteLog } from "../server/log/sqlite.ts";
import type { NewEvent } from "../server/room/events.ts";

const QUICK = Deno.args.includes("--quick");
const BURST = 50;
const THROUGHPUT_EVENTS = QUICK ? 50_000 : 300_000;
const RATE = 5_000;
const RATE_SECONDS = QUICK ? 2 : 4;
/** The machine is shared: each variant runs this many times, interleaved, and the best run counts. */
const ROUNDS = QUICK ? 1 : 2;
const RETAIN = 20_000;
const TICK_MS = 1;

interface Variant {
  name: string;
  open(dir: string): RoomLog;
}

const VARIANTS: Variant[] = [
  { name: "memory", open: () => new MemoryLog(1000) },
  {
    name: `sqlite, NORMAL, ${flushName(FLUSH_MS)} (default)`,
    open: (dir) => SqliteLog.open(`${dir}/default.db`, { retain: RETAIN }),
  },
  ...[0, 2, 10].filter((ms) => ms !== FLUSH_MS).map((flushMs) => ({
    name: `sqlite, NORMAL, ${flushName(flushMs)}`,
    open: (dir: string) => SqliteLog.open(`${dir}/flush-${flushMs}.db`, { retain: RETAIN, flushMs }),
  })),
  {
    name: `sqlite, FULL, ${flushName(FLUSH_MS)}`,
    open: (dir) => SqliteLog.open(`${dir}/full.db`, { retain: RETAIN, synchronous: "FULL" }),
  },
  { name: "sqlite :memory:", open: () => SqliteLog.open(":memory:", { retain: RETAIN }) },
];

function flushName(ms: number): string {
  return ms === 0 ? "flush after each loop turn" : `flush ${ms} ms timer`;
}

interface Distribution {
  p50: number;
  p99: number;
  max: number;
}

interface Result {
  backend: string;
  appendsPerSecond: number;
  /** Milliseconds. */
  append: Distribution;
  durable: Distribution | null;
  loopStall: Distribution;
}

const event = (n: number): NewEvent => ({
  at: Date.now(),
  kind: "message",
  from: `member${n % 500}`,
  text: `message number ${n}: some ordinary chat text of ordinary length`,
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function durable(log: RoomLog): Promise<void> {
  return log instanceof SqliteLog ? log.durable() : Promise.resolve();
}

function distribution(samples: number[]): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** How late a 1 ms ticker fires, sampled until stopped: the longest time the loop was busy elsewhere. */
function watchLoop(): () => number[] {
  const lags: number[] = [];
  let expected = performance.now() + TICK_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    expected = now + TICK_MS;
  }, TICK_MS);
  return () => {
    clearInterval(timer);
    return lags;
  };
}

async function throughput(log: RoomLog): Promise<number> {
  const started = performance.now();
  for (let n = 0; n < THROUGHPUT_EVENTS; n += BURST) {
    for (let i = 0; i < BURST; i++) log.append(event(n + i));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await durable(log);
  return Math.round(THROUGHPUT_EVENTS / ((performance.now() - started) / 1000));
}

async function latency(log: RoomLog): Promise<Pick<Result, "append" | "durable" | "loopStall">> {
  const appendMs: number[] = [];
  const durableMs: number[] = [];
  let delivered = 0;
  const stop = log.subscribe(() => delivered++);
  const stopWatching = watchLoop();
  const perTick = RATE / 1000;
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < RATE_SECONDS * 1000) {
    const due = Math.floor((performance.now() - started) * perTick);
    for (; sent < due; sent++) {
      const before = performance.now();
      log.append(event(sent));
      appendMs.push(performance.now() - before);
      if (log instanceof SqliteLog) durable(log).then(() => durableMs.push(performance.now() - before));
    }
    await pause(TICK_MS);
  }
  await durable(log);
  const lags = stopWatching();
  stop();
  if (delivered !== sent) throw new Error(`subscriber saw ${delivered} of ${sent} events`);
  return {
    append: distribution(appendMs),
    durable: durableMs.length > 0 ? distribution(durableMs) : null,
    loopStall: distribution(lags),
  };
}

function markdown(date: string, results: Result[]): string {
  const ms = (d: Distribution | null) => d ? `${d.p50} / ${d.p99} / ${d.max}` : "—";
  return [
    `# Room log backends, ${date}`,
    "",
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, ${Deno.build.os}. ` +
    `Throughput: ${THROUGHPUT_EVENTS} appends in bursts of ${BURST}, until all are on disk. ` +
    `Latency: ${RATE} appends/s for ${RATE_SECONDS} s. SQLite keeps ${RETAIN} rows (pruning runs). ` +
    `Milliseconds as p50 / p99 / max; best of ${ROUNDS} interleaved runs (the machine is shared). ` +
    `Append → durable: until the transaction holding the event committed (what a SIGKILL can lose). ` +
    `Event-loop stall: how late a ${TICK_MS} ms ticker fired; the memory row is the machine's floor.`,
    "",
    "| backend | appends/s | append → subscriber | append → durable | event-loop stall |",
    "|---|---:|---|---|---|",
    ...results.map((r) =>
      `| ${r.backend} | ${r.appendsPerSecond.toLocaleString("en")} | ${ms(r.append)} | ${ms(r.durable)} | ${
        ms(r.loopStall)
      } |`
    ),
    "",
  ].join("\n");
}

const dir = await Deno.makeTempDir({ prefix: "chat-log-bench-" });
const runs: Result[][] = VARIANTS.map(() => []);
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, variant] of VARIANTS.entries()) {
      const log = variant.open(dir);
      try {
        const appendsPerSecond = await throughput(log);
        const measured = await latency(log);
        runs[i].push({ backend: variant.name, appendsPerSecond, ...measured });
        console.log(`round ${round + 1}: ${variant.name}: ${JSON.stringify(runs[i].at(-1))}`);
      } finally {
        await log.close();
      }
      for await (const entry of Deno.readDir(dir)) await Deno.remove(`${dir}/${entry.name}`);
    }
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
/** Per variant: the fastest throughput run, and the latency run with the calmest event loop. */
const results: Result[] = runs.map((rounds) => {
  const fastest = rounds.reduce((a, b) => b.appendsPerSecond > a.appendsPerSecond ? b : a);
  const calmest = rounds.reduce((a, b) => b.loopStall.p99 < a.loopStall.p99 ? b : a);
  return { ...calmest, appendsPerSecond: fastest.appendsPerSecond };
});

const date = new Date().toISOString().slice(0, 10);
const out = new URL("./results/", import.meta.url);
await Deno.mkdir(out, { recursive: true });
const json = new URL(`log-${date}.json`, out);
const md = new URL(`log-${date}.md`, out);
const report = markdown(date, results);
await Deno.writeTextFile(
  json,
  JSON.stringify(
    { date, quick: QUICK, burst: BURST, rate: RATE, retain: RETAIN, rounds: ROUNDS, results, runs },
    null,
    2,
  ) +
    "\n",
);
await Deno.writeTextFile(md, report);
console.log(`\n${report}\nwritten: ${json.pathname}, ${md.pathname}`);
