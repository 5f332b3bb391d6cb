/**
 * What one small socket write costs Deno against C: the floor under our fan-out's latency. A round of the
 * fan-out is one write per reader, so at N=1000 a round lasts 1,000 writes, and a message waits for up to
 * two rounds; whatever a write costs more than C's `send()`, every round costs more too.
 *
 * A C sink (bench/baseline/write_cost.c) drains N loopback connections on core 0; on core 1, first C and then
 * Deno write one 64-byte chunk to each connection, round after round, alternated three times. The Deno writer
 * writes as the server's Flusher does: `conn.write()` per socket, {@link WRITES_PER_TURN} per event-loop
 * turn, and the round ends when every write has. Prints µs per write (wall and CPU) and writes
 * `bench/results/<date>-write-cost.md`.
 *
 * ```sh
 * deno run -A bench/write_cost.ts            # N=1000, 200 rounds
 * ```
 */
import process from "node:process";
import { setImmediate } from "node:timers";
import { WRITES_PER_TURN } from "../server/io/flusher.ts";
import { compile, freePort, ROOT } from "./lib/procs.ts";

const N = 1000;
const ROUNDS = 200;
const WARMUP_ROUNDS = 50;
const REPEATS = 5;

interface Cost {
  us_wall: number;
  us_cpu: number;
}

if (Deno.args[0] === "--writer") {
  console.log(JSON.stringify(await denoWriter(Number(Deno.args[1]), N, ROUNDS)));
  Deno.exit(0);
}

/** Writes as the Flusher does; returns µs per write over `rounds` rounds, after a warm-up. */
async function denoWriter(port: number, n: number, rounds: number): Promise<Cost> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < n; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    // As the server's TCP door and C's writer do: without it, Nagle holds most chunks back and a write is cheaper.
    conn.setNoDelay(true);
    conns.push(conn);
  }
  const chunk = new TextEncoder().encode("x".repeat(63) + "\n");
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  await new Promise((resolve) => setTimeout(resolve, 200));
  let cost: Cost = { us_wall: 0, us_cpu: 0 };
  for (const count of [WARMUP_ROUNDS, rounds]) {
    const wall0 = performance.now(), cpu0 = cpu();
    for (let round = 0; round < count; round++) {
      const writes: Promise<number>[] = [];
      for (const conn of conns) {
        if (writes.push(conn.write(chunk)) % WRITES_PER_TURN === 0) {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await Promise.all(writes);
    }
    const writes = n * count;
    cost = { us_wall: (performance.now() - wall0) * 1e3 / writes, us_cpu: (cpu() - cpu0) * 1e6 / writes };
  }
  for (const conn of conns) conn.close();
  return cost;
}

async function run(command: string[]): Promise<Cost> {
  const { code, stdout, stderr } = await new Deno.Command("taskset", { args: ["-c", "1", ...command] }).output();
  const text = new TextDecoder().decode(stdout).trim();
  if (code !== 0) throw new Error(`${command.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const binary = await compile(`${ROOT}bench/baseline/write_cost.c`, "write-cost");
const port = freePort();
const sink = new Deno.Command("taskset", {
  args: ["-c", "0", binary, "sink", String(port)],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = sink.stdout.getReader();
await reader.read(); // "ready"
const c: Cost[] = [];
const deno: Cost[] = [];
try {
  for (let i = 0; i < REPEATS; i++) {
    c.push(await run([binary, "writer", String(port), String(N), String(ROUNDS)]));
    deno.push(await run([Deno.execPath(), "run", "--allow-net", import.meta.filename!, "--writer", String(port)]));
  }
} finally {
  sink.kill("SIGKILL");
  await sink.status;
}

const fmt = (costs: Cost[]) => costs.map((cost) => cost.us_wall.toFixed(2)).join(", ");
const cMedian = median(c.map((cost) => cost.us_wall));
const denoMedian = median(deno.map((cost) => cost.us_wall));
// Loopback's cost moves on a shared machine (C's went from 10.7 to 6.3 µs within one run): each Deno run is
// compared with the C run just before it.
const ratios = deno.map((cost, i) => cost.us_wall / c[i].us_wall);
const date = new Date().toISOString().slice(0, 10);
const report = `# Cost of one socket write, ${date}

\`deno run -A bench/write_cost.ts\`: ${N} loopback connections drained by a C sink on core 0; on core 1, ${ROUNDS}
rounds (after ${WARMUP_ROUNDS} of warm-up) of one 64-byte write to each, C's \`send()\` and Deno's \`conn.write()\`
(${WRITES_PER_TURN} per event-loop turn, a round awaited whole, as the server's Flusher writes) alternated
${REPEATS} times. Deno ${Deno.version.deno}.

| writer | µs per write (wall), runs | median | CPU µs per write (median) |
|---|---|---|---|
| C \`send()\` | ${fmt(c)} | ${cMedian.toFixed(2)} | ${median(c.map((cost) => cost.us_cpu)).toFixed(2)} |
| Deno \`conn.write()\` | ${fmt(deno)} | ${denoMedian.toFixed(2)} | ${
  median(deno.map((cost) => cost.us_cpu)).toFixed(2)
} |

Deno / C, each Deno run against the C run before it: ${ratios.map((ratio) => ratio.toFixed(2)).join(", ")}; median
**${median(ratios).toFixed(2)}×** per write. A round of ${N} writes takes ${
  (denoMedian * N / 1000).toFixed(1)
} ms in Deno against ${(cMedian * N / 1000).toFixed(1)} ms in C, before any work of the server's own.
`;
console.log(report);
await Deno.writeTextFile(`${ROOT}bench/results/${date}-write-cost.md`, report);
