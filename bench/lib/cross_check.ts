/**
 * Cross-check: the same server and load measured by the bench's generator and by the independent
 * `../shared/tools/loadgen`, one after the other, each on a fresh server.
 *
 * @example
 * ```ts
 * for (const check of await crossChecks(5)) console.log(check.load, check.gen, check.reference);
 * ```
 */
import type { Results } from "./report.ts";
import { runGenerator, runReference, startBaseline, startOurs } from "./procs.ts";

const M = 1e6;

export async function crossChecks(seconds: number): Promise<Results["crossCheck"]> {
  const checks: Results["crossCheck"] = [];
  const loads = [
    { label: "ours, N=1000, 0.5 M deliveries/s", start: () => startOurs(), tcp: 1000, deliveries: 0.5 * M },
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
