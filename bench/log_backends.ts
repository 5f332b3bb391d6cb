/**
 * What the SQLite store costs next to the memory store, under the same load, in one process (no network):
 *
 * - throughput: appends in bursts of {@link BURST} (one socket read's worth), yielding to the event loop
 *   between bursts, as fast as the machine goes, until every row is on disk;
 * - latency at a steady {@link RATE} appends/s: the time append() takes (append → subscriber: the
 *   subscriber is called inside append), append → durable (the batch holding the event is committed:
 *   what a SIGKILL can lose at most), and the longest the event loop was stalled (flushes, pruning).
 *
 * Every SQLite run keeps {@link RETAIN} rows, so pruning runs throughout.
 *
 *   deno run -A bench/log_backends.ts            # writes bench/results/log-<date>.{json,md}
 *   deno run -A bench/log_backends.ts --quick    # shorter runs, same files
 *   deno run -A bench/log_backends.ts --smoke    # a second or two: checks it runs, prints, writes nothing
 */
import { setImmediate } from "node:timers";
import type { NewEvent } from "../server/room/events.ts";
import { sleep } from "../server/async/deadline.ts";
import { MemoryStore } from "../server/store/memory.ts";
import { FLUSH_MS, SqliteStore } from "../server/store/sqlite.ts";
import type { EventStore } from "../server/store/store.ts";

const USAGE = `usage: deno run -A bench/log_backends.ts [--quick | --smoke]
  (no flag)  full runs; writes bench/results/log-<date>.{json,md}
  --quick    shorter runs; writes the same files
  --smoke    tiny runs that only check the benchmark works; prints the table, writes nothing`;

if (Deno.args.includes("--help") || Deno.args.some((arg) => !["--quick", "--smoke"].includes(arg))) {
  console.log(USAGE);
  Deno.exit(Deno.args.includes("--help") ? 0 : 2);
}

const SMOKE = Deno.args.includes("--smoke");
const QUICK = SMOKE || Deno.args.includes("--quick");
const BURST = 50;
const THROUGHPUT_EVENTS = SMOKE ? 2_000 : QUICK ? 50_000 : 300_000;
const RATE = 5_000;
const RATE_SECONDS = SMOKE ? 0.1 : QUICK ? 2 : 4;
/** The machine is shared: each variant runs this many times, interleaved, and the best run counts. */
const ROUNDS = QUICK ? 1 : 2;
const RETAIN = 20_000;
const TICK_MS = 1;

interface Variant {
  name: string;
  open(dir: string): EventStore;
}

const VARIANTS: Variant[] = [
  { name: "memory", open: () => new MemoryStore(1000) },
  {
    name: `sqlite, NORMAL, ${flushName(FLUSH_MS)} (default)`,
    open: (dir) => SqliteStore.open(`${dir}/default.db`, { retain: RETAIN }),
  },
  ...[0, 2, 10].filter((ms) => ms !== FLUSH_MS).map((flushMs) => ({
    name: `sqlite, NORMAL, ${flushName(flushMs)}`,
    open: (dir: string) => SqliteStore.open(`${dir}/flush-${flushMs}.db`, { retain: RETAIN, flushMs }),
  })),
  {
    name: `sqlite, FULL, ${flushName(FLUSH_MS)}`,
    open: (dir) => SqliteStore.open(`${dir}/full.db`, { retain: RETAIN, synchronous: "FULL" }),
  },
  { name: "sqlite :memory:", open: () => SqliteStore.open(":memory:", { retain: RETAIN }) },
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

function durable(store: EventStore): Promise<void> {
  return store instanceof SqliteStore ? store.durable() : Promise.resolve();
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

async function throughput(store: EventStore): Promise<number> {
  const started = performance.now();
  for (let n = 0; n < THROUGHPUT_EVENTS; n += BURST) {
    // Not awaited one by one: a burst is appended within one turn, as the room does with one socket read.
    const burst: Promise<unknown>[] = [];
    for (let i = 0; i < BURST; i++) burst.push(store.append(event(n + i)));
    await Promise.all(burst);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await durable(store);
  return Math.round(THROUGHPUT_EVENTS / ((performance.now() - started) / 1000));
}

async function latency(store: EventStore): Promise<Pick<Result, "append" | "durable" | "loopStall">> {
  const appendMs: number[] = [];
  const durableMs: number[] = [];
  let delivered = 0;
  const stop = store.subscribe(() => delivered++);
  const stopWatching = watchLoop();
  const perTick = RATE / 1000;
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < RATE_SECONDS * 1000) {
    const due = Math.floor((performance.now() - started) * perTick);
    for (; sent < due; sent++) {
      const before = performance.now();
      // The time until append() returns; memory and SQLite call the subscribers inside it.
      const appended = store.append(event(sent));
      appendMs.push(performance.now() - before);
      appended.catch((error) => console.error(`append failed: ${error}`));
      if (store instanceof SqliteStore) durable(store).then(() => durableMs.push(performance.now() - before));
    }
    await sleep(TICK_MS);
  }
  await durable(store);
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
    `# Event store backends, ${date}`,
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
      const store = variant.open(dir);
      try {
        const appendsPerSecond = await throughput(store);
        const measured = await latency(store);
        runs[i].push({ backend: variant.name, appendsPerSecond, ...measured });
        console.log(`round ${round + 1}: ${variant.name}: ${JSON.stringify(runs[i].at(-1))}`);
      } finally {
        await store.close();
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
if (SMOKE) {
  console.log(`\n${markdown(date, results)}\n--smoke: nothing written`);
  Deno.exit(0);
}
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
